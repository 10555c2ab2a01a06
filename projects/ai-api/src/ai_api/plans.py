"""Plans (free, pro): what a tenant may use per minute and per month, and what it costs."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Plan:
    """Limits and prices of one plan; money is in integer cents, never floats.

    Attributes:
        name: ``free`` or ``pro``.
        requests_per_minute: Summaries a tenant may ask for in one clock minute.
        tokens_per_month: Model tokens (in + out) included before requests are refused.
        base_fee_cents: Monthly subscription fee.
        cents_per_1k_tokens: Metered price of model tokens.

    """

    name: str
    requests_per_minute: int
    tokens_per_month: int
    base_fee_cents: int
    cents_per_1k_tokens: int


PLANS: dict[str, Plan] = {
    "free": Plan(
        "free",
        requests_per_minute=5,
        tokens_per_month=20_000,
        base_fee_cents=0,
        cents_per_1k_tokens=0,
    ),
    "pro": Plan(
        "pro",
        requests_per_minute=600,
        tokens_per_month=5_000_000,
        base_fee_cents=2_900,
        cents_per_1k_tokens=2,
    ),
}
"""The plans a tenant can be on; ``create_app(plans=...)`` replaces them in tests."""
