"""What a chat model call costs: list prices per million tokens and ``cost_usd``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

from labkit.llm.base import Usage

PRICES_CHECKED_ON = "2025-11-01"
"""When the prices below were copied from the providers' pricing pages; check before budgeting."""


class Price(NamedTuple):
    """US dollars per million tokens."""

    input_per_mtok: float
    output_per_mtok: float


PRICES: Mapping[str, Price] = {
    # local models cost electricity, not dollars
    "smollm2-135m-instruct": Price(0.0, 0.0),
    "fake": Price(0.0, 0.0),
    # OpenAI (standard tier)
    "gpt-4o": Price(2.50, 10.00),
    "gpt-4o-mini": Price(0.15, 0.60),
    "gpt-4.1": Price(2.00, 8.00),
    "gpt-4.1-mini": Price(0.40, 1.60),
    "gpt-4.1-nano": Price(0.10, 0.40),
    "gpt-5": Price(1.25, 10.00),
    "gpt-5-mini": Price(0.25, 2.00),
    "gpt-5-nano": Price(0.05, 0.40),
    "o4-mini": Price(1.10, 4.40),
    # Anthropic
    "claude-3-5-haiku": Price(0.80, 4.00),
    "claude-haiku-4-5": Price(1.00, 5.00),
    "claude-sonnet-4": Price(3.00, 15.00),
    "claude-opus-4-1": Price(15.00, 75.00),
    # Google Gemini (prompts up to 200k tokens)
    "gemini-2.0-flash": Price(0.10, 0.40),
    "gemini-2.5-flash": Price(0.30, 2.50),
    "gemini-2.5-flash-lite": Price(0.10, 0.40),
    "gemini-2.5-pro": Price(1.25, 10.00),
}
"""List prices by model name; a dated name (``gpt-4o-mini-2024-07-18``) uses its family's row."""


def price_of(model: str) -> Price | None:
    """Find the row of ``PRICES`` for ``model``: the longest name that starts it, or None."""
    name = model.rsplit("/", 1)[-1].lower()  # "models/gemini-2.5-flash", "HuggingFaceTB/…"
    matches = [key for key in PRICES if name.startswith(key)]
    return PRICES[max(matches, key=len)] if matches else None


def cost_usd(usage: Usage, model: str) -> float | None:
    """Dollars a call cost at list price, or None when ``model`` is not in ``PRICES``.

    Example:
        >>> cost_usd(Usage(input_tokens=1_000, output_tokens=500), "gpt-4o-mini-2024-07-18")
        0.00045

    """
    price = price_of(model)
    if price is None:
        return None
    dollars = (
        usage.input_tokens * price.input_per_mtok + usage.output_tokens * price.output_per_mtok
    )
    return round(dollars / 1_000_000, 10)
