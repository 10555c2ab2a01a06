"""Usage metering turned into invoices: pricing rules, periods, and the endpoint."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from ai_api.billing import build_invoice, period_bounds
from ai_api.plans import PLANS
from ai_api.repositories import UsageTotals
from conftest import Account, Harness

Make = Callable[..., Account]


def test_does_the_invoice_round_token_charges_half_up_once() -> None:
    invoice = build_invoice("2026-01", PLANS["pro"], UsageTotals(10, 1_000, 1_250))
    assert [line.amount_cents for line in invoice.lines] == [2_900, 0, 5]  # 2250 * 2 / 1000 = 4.5
    assert invoice.total_cents == 2_905


def test_does_december_end_at_january_first() -> None:
    start, end = period_bounds("2025-12")
    assert (start.year, start.month, end.year, end.month) == (2025, 12, 2026, 1)


@pytest.mark.parametrize("period", ["2025-13", "2025-1", "25-01", "2025-01-01"])
def test_is_a_malformed_period_refused_with_an_example(period: str) -> None:
    with pytest.raises(ValueError, match=r"YYYY-MM, e\.g\. 2025-01"):
        period_bounds(period)


def test_does_the_invoice_meter_requests_and_only_uncached_tokens(
    harness: Harness, make_account: Make
) -> None:
    account, other = make_account(plan="pro"), make_account(plan="pro")
    texts = ["one two three four five six seven eight nine ten", "alpha beta gamma"]
    made = [
        harness.client.post("/v1/summaries", json={"text": t}, headers=account.headers())
        for t in [*texts, texts[0]]
    ]
    tokens = sum(m.json()["input_tokens"] + m.json()["output_tokens"] for m in made)
    assert made[2].json()["cached"]
    period = made[0].json()["created_at"][:7]
    invoice = harness.client.get(f"/v1/invoices/{period}", headers=account.headers()).json()
    assert invoice["requests"] == 3
    assert invoice["input_tokens"] + invoice["output_tokens"] == tokens
    assert invoice["lines"][2]["quantity"] == tokens
    assert invoice["total_cents"] == 2_900 + round(tokens * 2 / 1000)
    empty = harness.client.get(f"/v1/invoices/{period}", headers=other.headers()).json()
    assert empty["requests"] == 0
    assert empty["total_cents"] == 2_900
    bad = harness.client.get("/v1/invoices/2025-13", headers=account.headers())
    assert bad.status_code == 422


def test_are_the_plans_public(harness: Harness) -> None:
    plans = harness.client.get("/v1/plans").json()
    assert {p["name"] for p in plans} == {"free", "pro"}
