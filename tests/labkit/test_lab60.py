"""Tests for lab60's checks: right answers pass, plausible wrong answers fail with useful hints."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Awaitable, Callable, Hashable
from types import TracebackType
from typing import Any

import pytest

from labkit.checks import GRADING_ENV
from labkit.checks import lab60 as check


@pytest.fixture(autouse=True)
def _local(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run as a learner does: grading-only cases stay off unless a test turns them on."""
    monkeypatch.delenv(GRADING_ENV, raising=False)


class QueueFull(Exception):
    pass


class Batcher:
    """A reference answer; ``blocking`` and ``bounded`` switch on two classic mistakes."""

    blocking = False  # call the model on the event loop instead of in a thread
    bounded = True  # reject beyond max_queue
    skip_done = True  # skip futures already cancelled

    def __init__(
        self,
        model_fn: Callable[[list[Any]], list[Any]],
        max_batch_size: int = 8,
        max_wait_ms: float = 10,
        max_queue: int = 64,
    ) -> None:
        self.model_fn, self.max_batch_size = model_fn, max_batch_size
        self.max_wait_s, self.max_queue = max_wait_ms / 1000, max_queue
        self.queue: asyncio.Queue[tuple[Any, asyncio.Future[Any]]] = asyncio.Queue()
        self.worker: asyncio.Task[None] | None = None

    async def __aenter__(self) -> Batcher:
        self.worker = asyncio.create_task(self._run())
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self.worker is not None
        self.worker.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self.worker

    async def submit(self, prompt: Any) -> Any:
        if self.bounded and self.queue.qsize() >= self.max_queue:
            raise QueueFull("full")
        future = asyncio.get_running_loop().create_future()
        self.queue.put_nowait((prompt, future))
        return await future

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            batch = [await self.queue.get()]
            deadline = loop.time() + self.max_wait_s
            while len(batch) < self.max_batch_size:
                try:
                    batch.append(await asyncio.wait_for(self.queue.get(), deadline - loop.time()))
                except TimeoutError:
                    break
            if self.skip_done:
                batch = [(p, f) for p, f in batch if not f.done()]
            if not batch:
                continue
            prompts = [p for p, _ in batch]
            if self.blocking:
                answers = self.model_fn(prompts)
            else:
                try:
                    answers = await asyncio.to_thread(self.model_fn, prompts)
                except Exception as error:
                    for _, future in batch:
                        future.set_exception(error)
                    continue
            for (_, future), answer in zip(batch, answers, strict=True):
                if not self.skip_done or not future.done():
                    future.set_result(answer)


class Coalescer:
    cache = False  # keep finished results forever: a cache, not coalescing

    def __init__(self) -> None:
        self.in_flight: dict[Hashable, asyncio.Task[Any]] = {}

    async def run(self, key: Hashable, compute: Callable[[], Awaitable[Any]]) -> Any:
        task = self.in_flight.get(key)
        if task is None:
            task = asyncio.ensure_future(compute())
            self.in_flight[key] = task
            if not self.cache:
                task.add_done_callback(lambda _: self.in_flight.pop(key, None))
        return await asyncio.shield(task)


class BudgetExhausted(Exception):
    pass


class Budgeter:
    capped = True

    def __init__(self, budget_per_tenant: int, max_tokens_cap: int) -> None:
        self.budget, self.cap, self.spent = budget_per_tenant, max_tokens_cap, dict[str, int]()
        self.lock = threading.Lock()

    def remaining(self, tenant_id: str) -> int:
        return self.budget - self.spent.get(tenant_id, 0)

    def reserve(self, tenant_id: str, requested: int | None) -> int:
        if requested is not None and requested < 1:
            raise ValueError("max_tokens must be at least 1")
        left = self.remaining(tenant_id)
        if left <= 0:
            raise BudgetExhausted(f"tenant {tenant_id!r} has used its budget")
        wanted = requested or self.cap
        granted = min(wanted, self.cap, left) if self.capped else wanted
        self.spent[tenant_id] = self.spent.get(tenant_id, 0) + granted
        return granted

    def settle(self, tenant_id: str, granted: int, used: int) -> None:
        if not 0 <= used <= granted:
            raise ValueError("used must be between 0 and granted")
        self.spent[tenant_id] -= granted - used


def test_do_the_reference_answers_pass_every_case_including_grading_only() -> None:
    assert check.q1.evaluate(Batcher, QueueFull, grading_only=True).passed
    assert check.q2.evaluate(Coalescer, grading_only=True).passed
    assert check.q3.evaluate(Budgeter, BudgetExhausted, grading_only=True).passed


def test_does_a_model_call_on_the_event_loop_fail_with_the_thread_hint() -> None:
    class Blocking(Batcher):
        blocking = True

    feedback = check.q1.evaluate(Blocking, QueueFull)
    failed = [result for result in feedback.results if not result.passed]
    names = [result.case.name for result in failed]
    assert names[0] == "keeps the event loop free while the model runs"
    # A frozen loop can also let cancelled requests reach the model, depending on timing.
    assert names[1:] in ([], ["drops requests cancelled while queued before calling the model"])
    assert "asyncio.to_thread" in "\n".join(failed[0].lines())


def test_does_an_unbounded_queue_fail_with_golden_feedback() -> None:
    class Unbounded(Batcher):
        bounded = False

    lines = str(check.q1.evaluate(Unbounded, QueueFull)).splitlines()
    assert lines[0] == (
        "lab60.q1 DynamicBatcher, QueueFull: 7/8 local cases passed (10/12 pts)"
        " + 2 grading-only cases (2 pts) not run here"
    )
    assert lines[6:8] == [
        "  ✗ rejects with QueueFull beyond max_queue waiting requests, and serves the rest: "
        "expected submit with max_queue=2 full to return ['rejected', 'busy!', 'a!', 'b!'], "
        "got ['accepted', 'busy!', 'a!', 'b!']",
        "    hint: in submit, raise QueueFull(...) when queue.qsize() >= max_queue, "
        "before queueing",
    ]


def test_does_setting_a_result_on_a_cancelled_future_fail_the_cancellation_cases() -> None:
    class Careless(Batcher):
        skip_done = False

    feedback = check.q1.evaluate(Careless, QueueFull)
    failed = [result.case.name for result in feedback.results if not result.passed]
    assert failed == [
        "a request cancelled while queued does not break its batch or the batcher",
        "drops requests cancelled while queued before calling the model",
    ]


def test_does_a_coalescer_that_caches_fail_the_not_a_cache_case() -> None:
    class Caching(Coalescer):
        cache = True

    feedback = check.q2.evaluate(Caching)
    failed = [result.case.name for result in feedback.results if not result.passed]
    assert "is not a cache: a request after the first finished computes again" in failed


def test_does_a_budgeter_without_the_cap_fail_q3() -> None:
    class Uncapped(Budgeter):
        capped = False

    feedback = check.q3.evaluate(Uncapped, BudgetExhausted)
    assert not feedback.results[0].passed
    assert "hint: granted = min(requested or cap, cap, budget - spent)" in str(feedback)


def test_does_an_answer_that_raises_fail_cleanly_instead_of_crashing_the_check() -> None:
    class NotWritten:
        def __init__(self, *args: object, **kwargs: object) -> None:
            raise NotImplementedError("Q1: implement DynamicBatcher")

    feedback = check.q1.evaluate(NotWritten, QueueFull)
    assert feedback.points == 0
    assert "NotImplementedError" in feedback.results[0].detail
