"""Request coalescing and the token budgeter."""

from __future__ import annotations

import asyncio

import pytest

from conftest import run
from llm_serving.budget import BudgetExhausted, TokenBudgeter
from llm_serving.coalesce import RequestCoalescer


class CountingWork:
    """An async computation that counts its runs."""

    def __init__(self, delay: float = 0.02, error: Exception | None = None) -> None:
        self.delay, self.error, self.runs, self.finished = delay, error, 0, 0

    async def __call__(self) -> str:
        self.runs += 1
        await asyncio.sleep(self.delay)
        if self.error is not None:
            raise self.error
        self.finished += 1
        return f"answer {self.runs}"


def test_do_identical_concurrent_requests_share_one_computation() -> None:
    work = CountingWork()

    async def scenario() -> list[str]:
        coalescer: RequestCoalescer[str, str] = RequestCoalescer()
        same = [coalescer.run("q", work) for _ in range(8)]
        other = coalescer.run("other", work)
        return list(await asyncio.gather(*same, other))

    answers = run(scenario)
    assert len(set(answers[:8])) == 1  # the eight callers got the very same answer
    assert work.runs == 2


def test_is_coalescing_not_a_cache() -> None:
    work = CountingWork(delay=0)

    async def scenario() -> list[str]:
        coalescer: RequestCoalescer[str, str] = RequestCoalescer()
        return [await coalescer.run("q", work), await coalescer.run("q", work)]

    assert run(scenario) == ["answer 1", "answer 2"]


def test_does_an_error_reach_every_waiter_and_not_stick() -> None:
    work = CountingWork(error=ValueError("model down"))

    async def scenario() -> list[object]:
        coalescer: RequestCoalescer[str, str] = RequestCoalescer()
        first = await asyncio.gather(
            *(coalescer.run("q", work) for _ in range(3)), return_exceptions=True
        )
        work.error = None
        return [*first, await coalescer.run("q", work)]

    outcome = run(scenario)
    assert all(isinstance(error, ValueError) for error in outcome[:3])
    assert outcome[3] == "answer 2"


def test_does_the_last_caller_leaving_cancel_the_work_but_not_the_first() -> None:
    work = CountingWork(delay=0.1)

    async def scenario() -> str:
        coalescer: RequestCoalescer[str, str] = RequestCoalescer()
        stays = asyncio.ensure_future(coalescer.run("q", work))
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(coalescer.run("q", work), 0.01)
        answer = await stays  # one waiter left early; the other still gets the answer
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(coalescer.run("alone", work), 0.01)
        await asyncio.sleep(0.15)
        return answer

    assert run(scenario) == "answer 1"
    assert work.finished == 1  # the abandoned "alone" computation was cancelled


def test_does_the_budgeter_cap_requests_and_refund_unused_tokens() -> None:
    budgeter = TokenBudgeter(budget_per_tenant=100, max_tokens_cap=40)
    assert budgeter.reserve("a", None) == 40
    assert budgeter.reserve("a", 10) == 10
    budgeter.settle("a", granted=40, used=5)
    assert budgeter.remaining("a") == 100 - 5 - 10
    assert budgeter.reserve("b", 1000) == 40  # tenants are independent


def test_does_an_exhausted_tenant_get_a_clear_error() -> None:
    budgeter = TokenBudgeter(budget_per_tenant=50, max_tokens_cap=40)
    assert budgeter.reserve("a", 40) == 40
    assert budgeter.reserve("a", 40) == 10  # only what is left
    with pytest.raises(BudgetExhausted, match="budget of 50 tokens"):
        budgeter.reserve("a", 1)
    with pytest.raises(ValueError, match="at least 1"):
        budgeter.reserve("b", 0)
    with pytest.raises(ValueError, match="between 0 and granted"):
        budgeter.settle("a", granted=10, used=11)
