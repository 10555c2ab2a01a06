"""The dynamic batcher: right answers, bounded batches and queue, cancellation, throughput."""

from __future__ import annotations

import asyncio
import time

import pytest

from conftest import run
from llm_serving.batcher import DynamicBatcher, QueueFull


class SlowModelTestDouble:
    """A batched function costing a fixed latency per call plus a little per item."""

    def __init__(self, per_call_s: float = 0.02, per_item_s: float = 0.001) -> None:
        self.per_call_s, self.per_item_s = per_call_s, per_item_s
        self.batches: list[list[int]] = []

    def __call__(self, items: list[int]) -> list[int]:
        self.batches.append(list(items))
        time.sleep(self.per_call_s + self.per_item_s * len(items))
        return [item * 10 for item in items]


def test_does_each_caller_get_its_own_answer_from_a_shared_batch() -> None:
    model = SlowModelTestDouble()

    async def scenario() -> list[int]:
        async with DynamicBatcher(model, max_batch_size=4, max_wait_s=0.01) as batcher:
            return list(await asyncio.gather(*(batcher.submit(i) for i in range(10))))

    assert run(scenario) == [i * 10 for i in range(10)]
    assert max(len(batch) for batch in model.batches) == 4
    assert len(model.batches) < 10


def test_is_dynamic_batching_at_least_twice_as_fast_as_one_at_a_time() -> None:
    async def seconds(size: int) -> float:
        model = SlowModelTestDouble(per_call_s=0.03)
        async with DynamicBatcher(model, max_batch_size=size, max_wait_s=0.005) as batcher:
            started = time.perf_counter()
            await asyncio.gather(*(batcher.submit(i) for i in range(24)))
            return time.perf_counter() - started

    ratio = run(lambda: seconds(1)) / run(lambda: seconds(8))
    assert ratio > 2, (
        f"batching should pay off clearly with a fixed per-call cost; got {ratio:.1f}x"
    )


def test_does_a_lone_request_wait_no_longer_than_max_wait() -> None:
    async def scenario() -> float:
        async with DynamicBatcher(SlowModelTestDouble(0, 0), max_wait_s=0.05) as batcher:
            started = time.perf_counter()
            await batcher.submit(1)
            return time.perf_counter() - started

    assert run(scenario) < 0.5


def test_does_a_full_queue_reject_with_queue_full() -> None:
    async def scenario() -> list[object]:
        model = SlowModelTestDouble(per_call_s=0.2)
        async with DynamicBatcher(model, max_batch_size=1, max_queue=2) as batcher:
            running = asyncio.ensure_future(batcher.submit(0))
            await asyncio.sleep(0.05)  # the first request is in the model now
            return await asyncio.gather(
                running, *(batcher.submit(i) for i in (1, 2, 3)), return_exceptions=True
            )

    outcome = run(scenario)
    assert outcome[:3] == [0, 10, 20]
    assert isinstance(outcome[3], QueueFull)
    assert "already queued" in str(outcome[3])


def test_is_a_request_cancelled_while_queued_never_sent_to_the_model() -> None:
    model = SlowModelTestDouble(per_call_s=0.1)

    async def scenario() -> list[int]:
        async with DynamicBatcher(model, max_batch_size=4, max_wait_s=0.001) as batcher:
            first = asyncio.ensure_future(batcher.submit(1))
            await asyncio.sleep(0.02)  # 1 is running; the next ones queue behind it
            with pytest.raises(TimeoutError):
                await asyncio.wait_for(batcher.submit(99), 0.01)
            rest = await asyncio.gather(first, batcher.submit(2), batcher.submit(3))
            return list(rest)

    assert run(scenario) == [10, 20, 30]
    assert all(99 not in batch for batch in model.batches)


def test_does_a_model_error_reach_the_whole_batch_and_spare_the_next_one() -> None:
    calls = 0

    def flaky(items: list[int]) -> list[int]:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("CUDA out of memory (simulated)")
        return items

    async def scenario() -> tuple[list[object], int]:
        async with DynamicBatcher(flaky, max_batch_size=4, max_wait_s=0.01) as batcher:
            failed = await asyncio.gather(
                *(batcher.submit(i) for i in range(3)), return_exceptions=True
            )
            return list(failed), await batcher.submit(7)

    failed, after = run(scenario)
    assert all(isinstance(error, RuntimeError) for error in failed)
    assert after == 7


def test_are_misuse_and_bad_settings_clear_errors() -> None:
    with pytest.raises(ValueError, match="max_batch_size"):
        DynamicBatcher(SlowModelTestDouble(), max_batch_size=0)

    async def unstarted() -> int:
        return await DynamicBatcher(SlowModelTestDouble()).submit(1)

    with pytest.raises(RuntimeError, match="start the batcher first"):
        run(unstarted)
