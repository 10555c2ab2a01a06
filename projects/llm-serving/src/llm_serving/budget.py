"""A token budgeter: cap max_tokens per request from a per-tenant budget; refund the unused."""

from __future__ import annotations

import threading


class BudgetExhausted(RuntimeError):
    """The tenant has no tokens left in its budget (HTTP 429)."""


class TokenBudgeter:
    """Reserve tokens before generating, settle with the tokens actually used.

    A request asks for ``max_tokens``; the budgeter grants at most ``max_tokens_cap`` and at
    most what is left of the tenant's budget, so one request can never overspend it.

    Example:
        >>> budgeter = TokenBudgeter(budget_per_tenant=100, max_tokens_cap=64)
        >>> budgeter.reserve("acme", 500)
        64
        >>> budgeter.settle("acme", granted=64, used=10)
        >>> budgeter.remaining("acme")
        90

    Args:
        budget_per_tenant: Tokens each tenant may generate in total.
        max_tokens_cap: The most tokens one request may generate.

    """

    def __init__(self, budget_per_tenant: int, max_tokens_cap: int) -> None:
        if budget_per_tenant < 1 or max_tokens_cap < 1:
            raise ValueError("budget_per_tenant and max_tokens_cap must be at least 1")
        self.budget_per_tenant = budget_per_tenant
        self.max_tokens_cap = max_tokens_cap
        self._spent: dict[str, int] = {}
        self._lock = threading.Lock()

    def remaining(self, tenant_id: str) -> int:
        """Tokens the tenant may still reserve."""
        return self.budget_per_tenant - self._spent.get(tenant_id, 0)

    def reserve(self, tenant_id: str, requested: int | None) -> int:
        """Grant ``min(requested, cap, remaining)`` tokens; ``None`` asks for the cap.

        Raises:
            ValueError: ``requested`` is below 1.
            BudgetExhausted: The tenant has no tokens left.

        """
        if requested is not None and requested < 1:
            raise ValueError(f"max_tokens must be at least 1, got {requested}")
        with self._lock:
            left = self.remaining(tenant_id)
            if left <= 0:
                raise BudgetExhausted(
                    f"tenant {tenant_id!r} has used its budget of {self.budget_per_tenant} tokens"
                )
            granted = min(requested or self.max_tokens_cap, self.max_tokens_cap, left)
            self._spent[tenant_id] = self._spent.get(tenant_id, 0) + granted
            return granted

    def settle(self, tenant_id: str, granted: int, used: int) -> None:
        """Give back the part of a reservation that was not generated.

        Raises:
            ValueError: ``used`` is negative or above ``granted``.

        """
        if not 0 <= used <= granted:
            raise ValueError(f"used must be between 0 and granted={granted}, got {used}")
        with self._lock:
            self._spent[tenant_id] = self._spent.get(tenant_id, 0) - (granted - used)
