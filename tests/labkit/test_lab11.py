"""Tests for lab11's checks: a reference toolkit passes; plausible wrong answers fail."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import pytest

from labkit.checks import GRADING_ENV
from labkit.checks import lab11 as check
from labkit.checks.lab11 import CircuitOpenError, FakeClock, FaultyDependency


@pytest.fixture(autouse=True)
def _local(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run as a learner does: grading-only cases stay off unless a test turns them on."""
    monkeypatch.delenv(GRADING_ENV, raising=False)


def retry(call: Callable[[], Any], *, attempts: int, base_delay: float, max_delay: float,
          clock: FakeClock, rng: random.Random) -> Any:  # fmt: skip
    if attempts < 1:
        raise ValueError("attempts must be at least 1")
    for attempt in range(attempts):
        try:
            return call()
        except (ConnectionError, TimeoutError):
            if attempt == attempts - 1:
                raise
            clock.sleep(rng.uniform(0, min(max_delay, base_delay * 2**attempt)))
    return None


def retry_without_jitter(
    call: Callable[[], Any],
    *,
    attempts: int,
    base_delay: float,
    max_delay: float,
    clock: FakeClock,
    rng: random.Random,
) -> Any:
    for attempt in range(attempts):
        try:
            return call()
        except (ConnectionError, TimeoutError):
            if attempt == attempts - 1:
                raise
            clock.sleep(min(max_delay, base_delay * 2**attempt))
    return None


class Breaker:
    def __init__(self, failure_threshold: int, reset_timeout: float, clock: FakeClock) -> None:
        if failure_threshold < 1 or reset_timeout < 0:
            raise ValueError("bad arguments")
        self.threshold, self.timeout, self.clock = failure_threshold, reset_timeout, clock
        self.state, self.failures, self.opened_at = "closed", 0, 0.0

    def call(self, fn: Callable[[], Any]) -> Any:
        if self.state == "open":
            if self.clock.now() - self.opened_at < self.timeout:
                raise CircuitOpenError("open")
            self.state = "half_open"
        try:
            result = fn()
        except Exception:
            self.failures += 1
            if self.state == "half_open" or self.failures >= self.threshold:
                self.state, self.opened_at = "open", self.clock.now()
            raise
        self.state, self.failures = "closed", 0
        return result


def budgeted(call: Callable[..., Any], *, budget: float, per_try_timeout: float,
             clock: FakeClock) -> Any:  # fmt: skip
    if budget <= 0:
        raise ValueError("budget must be positive")
    deadline = clock.now() + budget
    while (left := deadline - clock.now()) > 0:
        try:
            return call(timeout=min(per_try_timeout, left))
        except (ConnectionError, TimeoutError):
            continue
    raise TimeoutError("budget spent")


def budget_ignoring_deadline(call: Callable[..., Any], *, budget: float, per_try_timeout: float,
                             clock: FakeClock) -> Any:  # fmt: skip
    for _ in range(3):
        try:
            return call(timeout=per_try_timeout)
        except (ConnectionError, TimeoutError):
            continue
    raise TimeoutError("gave up")


def test_does_a_reference_toolkit_pass_every_case_with_grading_cases() -> None:
    assert check.q1.evaluate(retry, grading_only=True).passed
    assert check.q2.evaluate(Breaker, grading_only=True).passed
    assert check.q3.evaluate(budgeted, grading_only=True).passed


def test_does_retry_without_jitter_fail_only_the_jitter_case() -> None:
    feedback = check.q1.evaluate(retry_without_jitter)
    failed = [r.case.name for r in feedback.results if not r.passed]
    assert failed == ["sleeps with full jitter under an exponential cap"]


def test_does_a_budget_that_ignores_the_deadline_fail_with_golden_feedback() -> None:
    text = str(check.q3.evaluate(budget_ignoring_deadline))
    assert "✗ never spends more than the budget" in text
    assert "expected the timeouts passed to the dependency to return [2.0, 2.0, 1.0]" in text


def test_does_the_faulty_dependency_reject_an_empty_script() -> None:
    with pytest.raises(ValueError, match="at least one outcome"):
        FaultyDependency(FakeClock(), [])
