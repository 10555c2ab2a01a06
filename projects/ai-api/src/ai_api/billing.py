"""Simple billing: a tenant's metered usage in a month, priced by its plan, as an invoice."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal

from ai_api.plans import Plan
from ai_api.repositories import UsageTotals

PERIOD_PATTERN = r"^[0-9]{4}-(0[1-9]|1[0-2])$"


@dataclass(frozen=True)
class InvoiceLine:
    """One priced line: a description, a quantity and an amount in cents."""

    description: str
    quantity: int
    amount_cents: int


@dataclass(frozen=True)
class Invoice:
    """What a tenant owes for one calendar month (UTC)."""

    period: str
    plan: str
    requests: int
    input_tokens: int
    output_tokens: int
    lines: tuple[InvoiceLine, ...]

    @property
    def total_cents(self) -> int:
        """The sum of the lines."""
        return sum(line.amount_cents for line in self.lines)


def period_bounds(period: str) -> tuple[datetime, datetime]:
    """``[start, end)`` of a ``YYYY-MM`` period in UTC.

    Raises:
        ValueError: ``period`` is not ``YYYY-MM``.

    """
    if not re.fullmatch(PERIOD_PATTERN, period):
        raise ValueError(f"a billing period is YYYY-MM, e.g. 2025-01; got {period!r}")
    year, month = int(period[:4]), int(period[5:])
    start = datetime(year, month, 1, tzinfo=UTC)
    end = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=UTC)
    return start, end


def build_invoice(period: str, plan: Plan, usage: UsageTotals) -> Invoice:
    """Price ``usage`` with ``plan``: the base fee plus tokens at the plan's rate.

    Cached answers are metered as requests with zero tokens, so they cost nothing extra.
    Token charges round half up to whole cents, once, on the line total.

    Example:
        >>> from ai_api.plans import PLANS
        >>> invoice = build_invoice("2025-01", PLANS["pro"], UsageTotals(3, 1000, 250))
        >>> [line.amount_cents for line in invoice.lines], invoice.total_cents
        ([2900, 0, 3], 2903)

    """
    tokens = usage.input_tokens + usage.output_tokens
    token_cents = (Decimal(tokens) * plan.cents_per_1k_tokens / 1000).quantize(
        Decimal(1), rounding=ROUND_HALF_UP
    )
    lines = (
        InvoiceLine(f"{plan.name} plan, monthly fee", 1, plan.base_fee_cents),
        InvoiceLine("summaries (metered, included)", usage.requests, 0),
        InvoiceLine(
            f"model tokens at {plan.cents_per_1k_tokens} cents / 1k", tokens, int(token_cents)
        ),
    )
    return Invoice(
        period, plan.name, usage.requests, usage.input_tokens, usage.output_tokens, lines
    )
