"""Tests for lab62's checks: a right answer passes, plausible wrong answers fail."""

from __future__ import annotations

import heapq
import itertools
import math
import time
from collections.abc import Callable

import pytest

from labkit.checks import GRADING_ENV
from labkit.checks import lab62 as check


@pytest.fixture(autouse=True)
def _local(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run as a learner does: grading-only cases stay off unless a test turns them on."""
    monkeypatch.delenv(GRADING_ENV, raising=False)


class TokenBucketLimiter:
    """A right answer: buckets start full, refill lazily, capped at burst."""

    def __init__(
        self,
        limits: dict[str, tuple[float, float]],
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if any(rate <= 0 or burst < 1 for rate, burst in limits.values()):
            raise ValueError("need rate > 0 and burst >= 1")
        self.limits, self.clock = limits, clock
        self.buckets = {tenant: (float(burst), clock()) for tenant, (_, burst) in limits.items()}

    def allow(self, tenant_id: str, cost: float = 1.0) -> bool:
        rate, burst = self.limits[tenant_id]
        tokens, last = self.buckets[tenant_id]
        now = self.clock()
        tokens = min(burst, tokens + (now - last) * rate)
        allowed = tokens >= cost
        self.buckets[tenant_id] = (tokens - cost if allowed else tokens, now)
        return allowed


class UncappedLimiter(TokenBucketLimiter):
    """Wrong: refills past the burst after an idle period."""

    def allow(self, tenant_id: str, cost: float = 1.0) -> bool:
        rate, _ = self.limits[tenant_id]
        tokens, last = self.buckets[tenant_id]
        now = self.clock()
        tokens += (now - last) * rate
        allowed = tokens >= cost
        self.buckets[tenant_id] = (tokens - cost if allowed else tokens, now)
        return allowed


class PriorityScheduler:
    """A right answer: a heap keyed by priority + arrival / aging_s, FIFO on ties."""

    def __init__(
        self,
        priorities: dict[str, int],
        *,
        aging_s: float = math.inf,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not aging_s > 0:
            raise ValueError("aging_s must be > 0")
        self.priorities, self.aging_s, self.clock = priorities, aging_s, clock
        self.heap: list[tuple[float, int, str]] = []
        self.sequence = itertools.count()

    def push(self, request_id: str, tenant_class: str) -> None:
        key = self.priorities[tenant_class] + self.clock() / self.aging_s
        heapq.heappush(self.heap, (key, next(self.sequence), request_id))

    def pop(self) -> str:
        return heapq.heappop(self.heap)[2]

    def __len__(self) -> int:
        return len(self.heap)


class StrictScheduler(PriorityScheduler):
    """Wrong: ignores aging, so a free request starves."""

    def push(self, request_id: str, tenant_class: str) -> None:
        key = float(self.priorities[tenant_class])
        heapq.heappush(self.heap, (key, next(self.sequence), request_id))


class LifoScheduler(PriorityScheduler):
    """Wrong: breaks ties newest first."""

    def push(self, request_id: str, tenant_class: str) -> None:
        key = self.priorities[tenant_class] + self.clock() / self.aging_s
        heapq.heappush(self.heap, (key, -next(self.sequence), request_id))


def test_does_the_right_limiter_pass_with_grading_cases() -> None:
    assert check.q1.evaluate(TokenBucketLimiter, grading_only=True).passed


def test_does_an_uncapped_bucket_fail_with_golden_feedback() -> None:
    lines = str(check.q1.evaluate(UncappedLimiter)).splitlines()
    assert lines[0] == (
        "lab62.q1 TokenBucketLimiter: 4/5 local cases passed (4/5 pts) + 1 grading-only case "
        "(1 pt) not run here"
    )
    assert lines[3:5] == [
        "  ✗ never holds more than `burst` tokens, however long it idles: expected "
        "allowed of 10 after 1,000 s idle (burst 3) to return 3, got 10",
        "    hint: cap the refill at burst",
    ]


def test_does_the_right_scheduler_pass_with_grading_cases() -> None:
    assert check.q2.evaluate(PriorityScheduler, grading_only=True).passed


def test_does_a_scheduler_without_aging_fail_the_aging_case_only() -> None:
    feedback = check.q2.evaluate(StrictScheduler)
    assert [result.passed for result in feedback.results] == [True, True, False, True, True]


def test_does_a_lifo_scheduler_fail_fifo_within_a_class() -> None:
    feedback = check.q2.evaluate(LifoScheduler)
    assert not feedback.results[1].passed
    assert "expected pop order to return ['e1', 'p1', 'p2', 'p3']" in feedback.results[1].detail
