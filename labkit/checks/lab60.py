"""Checks for lab60, a dynamic batching server: batcher, request coalescing, token budgeter."""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import Awaitable, Callable
from typing import Any

from labkit.checks._core import Lab, Text, expect, expect_equal
from labkit.checks.lab01 import run_async

lab = Lab("lab60")
q1 = lab.question("q1", "DynamicBatcher, QueueFull", time_limit=40)
q2 = lab.question("q2", "RequestCoalescer", time_limit=15)
q3 = lab.question("q3", "TokenBudgeter, BudgetExhausted")
summary = lab.summary


class BatchedModelTestDouble:
    """A deterministic batched model: a fixed cost per call plus a small cost per item.

    It answers ``"<prompt>!"`` for each prompt, records every batch it saw, and sleeps like a
    forward pass (``time.sleep``, so it must run in a worker thread, as a real model does).
    """

    def __init__(self, per_call_s: float = 0.04, per_item_s: float = 0.002) -> None:
        self.per_call_s = per_call_s
        self.per_item_s = per_item_s
        self.batches: list[list[str]] = []
        self._lock = threading.Lock()

    def __call__(self, prompts: list[str]) -> list[str]:
        """Answer every prompt after sleeping like one batched forward pass."""
        with self._lock:
            self.batches.append(list(prompts))
        time.sleep(self.per_call_s + self.per_item_s * len(prompts))
        return [f"{prompt}!" for prompt in prompts]


Batcher = Any


def _make(batcher_class: type, model: BatchedModelTestDouble, **limits: Any) -> Batcher:
    settings = {"max_batch_size": 8, "max_wait_ms": 10, "max_queue": 64, **limits}
    return batcher_class(model, **settings)


async def _submit_all(batcher_class: type, model: BatchedModelTestDouble, prompts: list[str],
                      **limits: Any) -> list[Any]:  # fmt: skip
    async with _make(batcher_class, model, **limits) as batcher:
        return list(await asyncio.gather(*(batcher.submit(p) for p in prompts)))


def _prompts(n: int) -> list[str]:
    return [f"p{i}" for i in range(n)]


@q1.case(
    "every caller gets its own answer, in a shared batch",
    points=2,
    hint="keep (prompt, future) pairs together; set each future's result from the same index",
)
def _q1_outputs(batcher_class: type, queue_full: type[BaseException]) -> None:
    model, prompts = BatchedModelTestDouble(), _prompts(20)
    got = run_async(lambda: _submit_all(batcher_class, model, prompts))
    expect_equal(got, [f"{p}!" for p in prompts], "20 concurrent submit(p) calls")
    expect(
        len(model.batches) < 20, "fewer model calls than requests", Text(f"{len(model.batches)}")
    )


@q1.case(
    "never sends more than max_batch_size prompts in one call",
    hint="stop collecting once len(batch) == max_batch_size",
)
def _q1_bounded(batcher_class: type, queue_full: type[BaseException]) -> None:
    model = BatchedModelTestDouble(per_call_s=0.01)
    run_async(lambda: _submit_all(batcher_class, model, _prompts(23), max_batch_size=5))
    sizes = [len(batch) for batch in model.batches]
    expect(max(sizes) <= 5, "every batch to hold at most 5 prompts", Text(f"sizes {sizes}"))


@q1.case(
    "is at least 2x the throughput of one call per request",
    points=2,
    hint="gather every request into the queue; take up to max_batch_size items per model call",
)
def _q1_throughput(batcher_class: type, queue_full: type[BaseException]) -> None:
    model, prompts = BatchedModelTestDouble(), _prompts(24)
    started = time.perf_counter()
    run_async(lambda: _submit_all(batcher_class, model, prompts))
    batched = time.perf_counter() - started
    sequential = len(prompts) * (model.per_call_s + model.per_item_s)
    ratio = sequential / batched
    expect(ratio >= 2, "at least 2x one-at-a-time throughput", Text(f"{ratio:.1f}x"))


async def _loop_lag(batcher_class: type) -> float:
    async with _make(batcher_class, BatchedModelTestDouble(per_call_s=0.3)) as batcher:
        running = asyncio.ensure_future(batcher.submit("slow"))
        started = time.perf_counter()
        await asyncio.sleep(0.05)  # the model starts working during this sleep
        lag = time.perf_counter() - started - 0.05
        await running
        return lag


@q1.case(
    "keeps the event loop free while the model runs",
    hint="await asyncio.to_thread(model_fn, prompts): a blocking call on the loop freezes it",
)
def _q1_responsive(batcher_class: type, queue_full: type[BaseException]) -> None:
    lag = run_async(lambda: _loop_lag(batcher_class))
    got = Text(f"{1000 * lag:.0f} ms late")
    expect(lag < 0.15, "a 50 ms sleep to end under 150 ms late while a 300 ms batch runs", got)


@q1.case(
    "a lone request is answered after about max_wait_ms, not held forever",
    hint="close a batch when its first item has waited max_wait_ms (asyncio.wait_for on get)",
)
def _q1_lone(batcher_class: type, queue_full: type[BaseException]) -> None:
    model = BatchedModelTestDouble(per_call_s=0, per_item_s=0)
    started = time.perf_counter()
    got = run_async(lambda: _submit_all(batcher_class, model, ["alone"], max_wait_ms=50))
    waited = time.perf_counter() - started
    expect_equal(got, ["alone!"], "submit('alone')")
    expect(waited < 1.0, "an answer within 1 s with max_wait_ms=50", Text(f"{waited:.2f} s"))


async def _overflow(batcher_class: type, queue_full: type[BaseException]) -> list[str]:
    model = BatchedModelTestDouble(per_call_s=0.3)
    outcome: list[str] = []
    async with _make(batcher_class, model, max_batch_size=1, max_queue=2) as batcher:
        running = asyncio.ensure_future(batcher.submit("busy"))
        await asyncio.sleep(0.1)  # "busy" is in the model; the queue is empty again
        waiting = [asyncio.ensure_future(batcher.submit(p)) for p in ("a", "b")]
        await asyncio.sleep(0)
        try:
            await batcher.submit("c")
            outcome.append("accepted")
        except queue_full:
            outcome.append("rejected")
        for result in await asyncio.gather(running, *waiting):
            outcome.append(str(result))
    return outcome


@q1.case(
    "rejects with QueueFull beyond max_queue waiting requests, and serves the rest",
    points=2,
    hint="in submit, raise QueueFull(...) when queue.qsize() >= max_queue, before queueing",
)
def _q1_queue_full(batcher_class: type, queue_full: type[BaseException]) -> None:
    expect(issubclass(queue_full, Exception), "QueueFull to be an Exception class", queue_full)
    got = run_async(lambda: _overflow(batcher_class, queue_full))
    expect_equal(got, ["rejected", "busy!", "a!", "b!"], "submit with max_queue=2 full")


async def _cancelled(batcher_class: type, model: BatchedModelTestDouble) -> list[Any]:
    async with _make(batcher_class, model, max_batch_size=4, max_wait_ms=5) as batcher:
        first = asyncio.ensure_future(batcher.submit("first"))
        await asyncio.sleep(0.02)  # "first" is in the model now
        gone = asyncio.ensure_future(batcher.submit("gone"))
        kept = asyncio.ensure_future(batcher.submit("kept"))
        await asyncio.sleep(0.01)
        gone.cancel()  # the client timed out or left while queued
        answers = await asyncio.gather(first, kept)
        later = await batcher.submit("later")
        return [*answers, later]


@q1.case(
    "a request cancelled while queued does not break its batch or the batcher",
    points=2,
    hint="before setting a result, skip futures that are done(); a cancelled one is",
)
def _q1_cancel(batcher_class: type, queue_full: type[BaseException]) -> None:
    model = BatchedModelTestDouble(per_call_s=0.1)
    got = run_async(lambda: _cancelled(batcher_class, model))
    expect_equal(got, ["first!", "kept!", "later!"], "the others after one cancelled request")


@q1.case(
    "drops requests cancelled while queued before calling the model",
    hint="filter the batch: [(p, f) for p, f in batch if not f.cancelled()]",
)
def _q1_cancel_dropped(batcher_class: type, queue_full: type[BaseException]) -> None:
    model = BatchedModelTestDouble(per_call_s=0.1)
    run_async(lambda: _cancelled(batcher_class, model))
    seen = [prompt for batch in model.batches for prompt in batch]
    expect("gone" not in seen, "the model never to see the cancelled 'gone'", Text(f"{seen}"))


@q1.case("keeps working across waves, and with max_batch_size=1", grading_only=True)
def _q1_waves(batcher_class: type, queue_full: type[BaseException]) -> None:
    async def waves() -> list[Any]:
        model = BatchedModelTestDouble(per_call_s=0.005)
        async with _make(batcher_class, model, max_batch_size=3) as batcher:
            got = []
            for wave in range(3):
                prompts = [f"w{wave}-{i}" for i in range(5)]
                got += await asyncio.gather(*(batcher.submit(p) for p in prompts))
            return got

    expected = [f"w{w}-{i}!" for w in range(3) for i in range(5)]
    expect_equal(run_async(waves), expected, "three waves of 5 requests")
    one = run_async(
        lambda: _submit_all(
            batcher_class, BatchedModelTestDouble(0.001), ["x", "y"], max_batch_size=1
        )
    )
    expect_equal(one, ["x!", "y!"], "max_batch_size=1")


@q1.case("a model error reaches the batch's callers and spares the next batch", grading_only=True)
def _q1_model_error(batcher_class: type, queue_full: type[BaseException]) -> None:
    calls: list[int] = []

    def flaky(prompts: list[str]) -> list[str]:
        calls.append(len(prompts))
        if len(calls) == 1:
            raise RuntimeError("out of memory")
        return [f"{p}!" for p in prompts]

    async def scenario() -> list[Any]:
        async with batcher_class(flaky, max_batch_size=4, max_wait_ms=10, max_queue=8) as batcher:
            first = await asyncio.gather(batcher.submit("a"), return_exceptions=True)
            return [type(first[0]).__name__, await batcher.submit("b")]

    expect_equal(run_async(scenario), ["RuntimeError", "b!"], "a failing call, then a good one")


Coalescer = Any


@q2.case(
    "identical concurrent requests share one computation",
    points=2,
    hint="keep a dict key -> task of the computation in flight; later callers await that task",
)
def _q2_shared(coalescer_class: type) -> None:
    runs: list[str] = []

    async def scenario() -> list[str]:
        coalescer = coalescer_class()

        def compute(key: str) -> Callable[[], Awaitable[str]]:
            async def work() -> str:
                runs.append(key)
                await asyncio.sleep(0.05)
                return f"answer to {key}"

            return work

        calls = [coalescer.run(k, compute(k)) for k in ["a"] * 6 + ["b"] * 2]
        return list(await asyncio.gather(*calls))

    got = run_async(scenario)
    expect_equal(got, ["answer to a"] * 6 + ["answer to b"] * 2, "8 concurrent runs")
    expect_equal(sorted(runs), ["a", "b"], "the computations that ran")


@q2.case(
    "is not a cache: a request after the first finished computes again",
    hint="remove the key from the dict when its computation finishes (add_done_callback)",
)
def _q2_not_cache(coalescer_class: type) -> None:
    counter = [0]

    async def work() -> int:
        counter[0] += 1
        return counter[0]

    async def scenario() -> list[int]:
        coalescer = coalescer_class()
        return [await coalescer.run("k", work), await coalescer.run("k", work)]

    expect_equal(run_async(scenario), [1, 2], "two runs one after the other")


@q2.case(
    "an error reaches every waiter and does not stick to the key",
    hint="await the shared task in every caller; remove the key even when the task failed",
)
def _q2_error(coalescer_class: type) -> None:
    fail = [True]

    async def work() -> str:
        await asyncio.sleep(0.01)
        if fail[0]:
            raise ValueError("model down")
        return "ok"

    async def scenario() -> list[str]:
        coalescer = coalescer_class()
        first = await asyncio.gather(
            *(coalescer.run("k", work) for _ in range(3)), return_exceptions=True
        )
        fail[0] = False
        return [type(error).__name__ for error in first] + [await coalescer.run("k", work)]

    expected = ["ValueError", "ValueError", "ValueError", "ok"]
    expect_equal(run_async(scenario), expected, "three failing waiters, then a retry")


@q2.case("one caller timing out does not cancel the others' answer", grading_only=True)
def _q2_cancel(coalescer_class: type) -> None:
    async def work() -> str:
        await asyncio.sleep(0.1)
        return "done"

    async def scenario() -> str:
        coalescer = coalescer_class()
        stays = asyncio.ensure_future(coalescer.run("k", work))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(coalescer.run("k", work), 0.01)
        return str(await stays)

    expect_equal(run_async(scenario), "done", "the remaining caller's answer")


@q3.case(
    "grants min(requested, cap, remaining) and None asks for the cap",
    points=2,
    hint="granted = min(requested or cap, cap, budget - spent); add it to spent",
)
def _q3_grant(budgeter_class: type, exhausted: type[BaseException]) -> None:
    budgeter = budgeter_class(budget_per_tenant=100, max_tokens_cap=40)
    got = [budgeter.reserve("t", 500), budgeter.reserve("t", None), budgeter.reserve("t", 30)]
    expect_equal(got, [40, 40, 20], "reserve 500, None, 30 with budget 100 and cap 40")


@q3.case(
    "settle refunds what was not generated, and tenants are independent",
    hint="settle subtracts granted - used from the tenant's spent tokens",
)
def _q3_settle(budgeter_class: type, exhausted: type[BaseException]) -> None:
    budgeter = budgeter_class(budget_per_tenant=50, max_tokens_cap=50)
    budgeter.settle("t", granted=budgeter.reserve("t", 50), used=12)
    expect_equal(budgeter.remaining("t"), 38, "remaining after using 12 of 50 granted")
    expect_equal(budgeter.remaining("other"), 50, "another tenant's remaining")


@q3.case(
    "raises BudgetExhausted with a clear message when nothing is left",
    hint="raise BudgetExhausted(f'tenant {tenant_id!r} has used its budget of ... tokens')",
)
def _q3_exhausted(budgeter_class: type, exhausted: type[BaseException]) -> None:
    budgeter = budgeter_class(budget_per_tenant=10, max_tokens_cap=10)
    budgeter.reserve("t", 10)
    try:
        budgeter.reserve("t", 1)
    except exhausted as error:
        expect("t" in str(error), "the message to name the tenant", Text(str(error)))
        return
    expect(False, "BudgetExhausted on a spent budget", Text("no error"))


@q3.case("rejects max_tokens below 1 and impossible settlements", grading_only=True)
def _q3_bad_input(budgeter_class: type, exhausted: type[BaseException]) -> None:
    budgeter = budgeter_class(budget_per_tenant=10, max_tokens_cap=5)
    calls: list[Callable[[], object]] = [
        lambda: budgeter.reserve("t", 0),
        lambda: budgeter.settle("t", 5, 6),
    ]
    for call in calls:
        try:
            call()
        except ValueError:
            continue
        expect(False, "ValueError for reserve(t, 0) and settle(granted=5, used=6)", Text("none"))
