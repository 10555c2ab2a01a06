"""Checks for lab11, a resilience toolkit: retry with jitter, circuit breaker, timeout budget."""

from __future__ import annotations

import contextlib
import random
from collections.abc import Callable, Sequence
from typing import Any

from labkit.checks._core import Lab, expect, expect_equal

lab = Lab("lab11")
q1 = lab.question("q1", "retry")
q2 = lab.question("q2", "CircuitBreaker")
q3 = lab.question("q3", "call_with_budget")
summary = lab.summary


class CircuitOpenError(Exception):
    """Raised by an open circuit breaker instead of calling the dependency."""


class FakeClock:
    """A test double for time: ``now()`` moves only through ``sleep`` and ``advance``.

    Example:
        >>> clock = FakeClock()
        >>> clock.sleep(1.5)
        >>> clock.now(), clock.sleeps
        (1.5, [1.5])

    """

    def __init__(self, start: float = 0.0) -> None:
        """Start the clock at ``start`` seconds."""
        self._now = start
        self.sleeps: list[float] = []

    def now(self) -> float:
        """Return the current fake time in seconds."""
        return self._now

    def sleep(self, seconds: float) -> None:
        """Record a sleep and move time forward by it, instantly."""
        if seconds < 0:
            raise ValueError(f"cannot sleep a negative time: {seconds}")
        self.sleeps.append(seconds)
        self._now += seconds

    def advance(self, seconds: float) -> None:
        """Move time forward without recording a sleep (time passing elsewhere)."""
        self._now += seconds


class FaultyDependency:
    """A fault-injecting test double for a remote call, driven by a script of outcomes.

    Each call takes the next entry of ``script`` (the last one repeats): ``"fail"`` raises
    ``ConnectionError`` at once, ``"bad"`` raises ``ValueError`` (not worth retrying), and a
    number is the call's latency in seconds: the call returns ``"ok"`` after it, or, when a
    ``timeout`` shorter than the latency is given, raises ``TimeoutError`` after ``timeout``.

    Example:
        >>> dependency = FaultyDependency(FakeClock(), ["fail", 0.1])
        >>> dependency()
        Traceback (most recent call last):
        ConnectionError: injected failure 1
        >>> dependency(timeout=1.0)
        'ok'

    """

    def __init__(self, clock: FakeClock, script: Sequence[str | float]) -> None:
        """Answer calls as ``script`` says, moving ``clock`` by each call's latency."""
        if not script:
            raise ValueError("the script needs at least one outcome, e.g. ['fail', 0.1]")
        self.clock = clock
        self.script = list(script)
        self.calls = 0
        self.timeouts: list[float | None] = []

    def __call__(self, timeout: float | None = None) -> str:
        """Run the next scripted outcome."""
        outcome = self.script[min(self.calls, len(self.script) - 1)]
        self.calls += 1
        self.timeouts.append(timeout)
        if outcome == "fail":
            raise ConnectionError(f"injected failure {self.calls}")
        if outcome == "bad":
            raise ValueError("injected bad request")
        latency = float(outcome)
        if timeout is not None and latency > timeout:
            self.clock.advance(timeout)
            raise TimeoutError(f"call {self.calls} took longer than {timeout:g} s")
        self.clock.advance(latency)
        return "ok"


def _retry_call(retry: Callable[..., Any], script: list[str | float], attempts: int) -> Any:
    clock = FakeClock()
    dependency = FaultyDependency(clock, script)
    rng = random.Random(7)
    result: Any = None
    error: BaseException | None = None
    try:
        result = retry(
            dependency, attempts=attempts, base_delay=0.1, max_delay=2.0, clock=clock, rng=rng
        )
    except Exception as raised:
        error = raised
    return result, error, dependency, clock


@q1.case(
    "returns the answer after transient failures", hint="loop over attempts; return on success"
)
def _recovers(retry: Callable[..., Any]) -> None:
    result, error, dependency, clock = _retry_call(retry, ["fail", "fail", 0.0], attempts=5)
    expect(error is None, "no exception after 2 failures with 5 attempts", error)
    expect_equal(result, "ok", "retry(dependency failing twice)")
    expect_equal(dependency.calls, 3, "the number of calls")
    expect_equal(len(clock.sleeps), 2, "the number of sleeps (one between each pair of calls)")


@q1.case(
    "sleeps with full jitter under an exponential cap",
    hint="sleep rng.uniform(0, min(max_delay, base_delay * 2 ** attempt)) through clock.sleep",
)
def _jitter(retry: Callable[..., Any]) -> None:
    _, _, _, clock = _retry_call(retry, ["fail"] * 7 + [0.0], attempts=8)
    expect_equal(len(clock.sleeps), 7, "the number of clock.sleep calls")
    caps = [min(2.0, 0.1 * 2**attempt) for attempt in range(7)]
    within = all(0 <= slept <= cap + 1e-9 for slept, cap in zip(clock.sleeps, caps, strict=True))
    expect(within, f"sleep i within [0, min(2.0, 0.1 * 2**i)], caps {caps}", clock.sleeps)
    expect(len(set(clock.sleeps)) == 7, "seven different (random) sleeps", clock.sleeps)
    expect(max(clock.sleeps) > 0.2, "later sleeps to grow past the first cap", clock.sleeps)


@q1.case("re-raises the last error once attempts run out", hint="no sleep after the last try")
def _gives_up(retry: Callable[..., Any]) -> None:
    _, error, dependency, clock = _retry_call(retry, ["fail"], attempts=3)
    expect(isinstance(error, ConnectionError), "the dependency's ConnectionError", error)
    expect_equal(str(error), "injected failure 3", "str(the error raised)")
    expect_equal(dependency.calls, 3, "the number of calls")
    expect_equal(len(clock.sleeps), 2, "the number of sleeps")


@q1.case(
    "does not retry errors that are not transient", hint="retry only ConnectionError, TimeoutError"
)
def _not_transient(retry: Callable[..., Any]) -> None:
    _, error, dependency, _ = _retry_call(retry, ["bad", 0.0], attempts=5)
    expect(isinstance(error, ValueError), "the ValueError to propagate at once", error)
    expect_equal(dependency.calls, 1, "the number of calls")


@q1.case("rejects attempts < 1 with ValueError", grading_only=True, hint="validate arguments first")
def _bad_attempts(retry: Callable[..., Any]) -> None:
    _, error, dependency, _ = _retry_call(retry, [0.0], attempts=0)
    expect(isinstance(error, ValueError), "ValueError for attempts=0", error)
    expect_equal(dependency.calls, 0, "the number of calls")


def _tripped(breaker_class: Callable[..., Any], clock: FakeClock) -> tuple[Any, FaultyDependency]:
    breaker = breaker_class(failure_threshold=3, reset_timeout=10.0, clock=clock)
    dependency = FaultyDependency(clock, ["fail", "fail", "fail", 0.0])
    for _ in range(3):
        with contextlib.suppress(ConnectionError):
            breaker.call(dependency)
    return breaker, dependency


@q2.case(
    "opens after failure_threshold failures and then fails fast", hint="count consecutive failures"
)
def _opens(breaker_class: Callable[..., Any]) -> None:
    breaker, dependency = _tripped(breaker_class, FakeClock())
    expect_equal(breaker.state, "open", "state after 3 failures")
    try:
        breaker.call(dependency)
    except CircuitOpenError:
        pass
    else:
        expect(False, "CircuitOpenError while open", "no exception")
    expect_equal(dependency.calls, 3, "calls reaching the dependency (none while open)")


@q2.case("a success resets the failure count", hint="set the count to 0 on every success")
def _success_resets(breaker_class: Callable[..., Any]) -> None:
    clock = FakeClock()
    breaker = breaker_class(failure_threshold=3, reset_timeout=10.0, clock=clock)
    dependency = FaultyDependency(clock, ["fail", "fail", 0.0, "fail", "fail", 0.0])
    for _ in range(6):
        with contextlib.suppress(ConnectionError):
            breaker.call(dependency)
    expect_equal(breaker.state, "closed", "state after fail, fail, ok, fail, fail, ok")


@q2.case(
    "after reset_timeout one trial call closes it again on success",
    hint="when open and clock.now() - opened_at >= reset_timeout, go half_open and try once",
)
def _half_open_success(breaker_class: Callable[..., Any]) -> None:
    clock = FakeClock()
    breaker, dependency = _tripped(breaker_class, clock)
    clock.advance(10.0)
    expect_equal(breaker.call(dependency), "ok", "breaker.call after reset_timeout")
    expect_equal(breaker.state, "closed", "state after a successful trial")


@q2.case("a failed trial opens it again for a full reset_timeout", hint="restart the timer")
def _half_open_failure(breaker_class: Callable[..., Any]) -> None:
    clock = FakeClock()
    breaker = breaker_class(failure_threshold=2, reset_timeout=10.0, clock=clock)
    dependency = FaultyDependency(clock, ["fail"])
    for _ in range(2):
        with contextlib.suppress(ConnectionError):
            breaker.call(dependency)
    clock.advance(10.0)
    with contextlib.suppress(ConnectionError):
        breaker.call(dependency)
    expect_equal(breaker.state, "open", "state after a failed trial")
    clock.advance(9.0)
    with contextlib.suppress(CircuitOpenError, ConnectionError):
        breaker.call(dependency)
    expect_equal(dependency.calls, 3, "calls 9 s after the failed trial (still open, none)")


@q2.case("rejects a threshold < 1 or a negative timeout", grading_only=True, hint="ValueError")
def _breaker_arguments(breaker_class: Callable[..., Any]) -> None:
    for kwargs in ({"failure_threshold": 0, "reset_timeout": 1.0}, {"failure_threshold": 1,
                   "reset_timeout": -1.0}):  # fmt: skip
        try:
            breaker_class(clock=FakeClock(), **kwargs)
        except ValueError:
            continue
        expect(False, f"ValueError for {kwargs}", "no exception")


def _budget_call(call_with_budget: Callable[..., Any], script: list[str | float]) -> Any:
    clock = FakeClock()
    dependency = FaultyDependency(clock, script)
    result: Any = None
    error: BaseException | None = None
    try:
        result = call_with_budget(dependency, budget=5.0, per_try_timeout=2.0, clock=clock)
    except Exception as raised:
        error = raised
    return result, error, dependency, clock


@q3.case("a fast call gets per_try_timeout and returns", hint="pass timeout=... to the call")
def _fast(call_with_budget: Callable[..., Any]) -> None:
    result, error, dependency, _ = _budget_call(call_with_budget, [0.5])
    expect(error is None, "no exception", error)
    expect_equal(result, "ok", "call_with_budget(fast dependency)")
    expect_equal(dependency.timeouts, [2.0], "the timeouts passed to the dependency")


@q3.case("a slow try is cut at its timeout and retried", hint="catch TimeoutError and try again")
def _slow_then_fast(call_with_budget: Callable[..., Any]) -> None:
    result, error, dependency, clock = _budget_call(call_with_budget, [9.0, 0.5])
    expect(error is None, "no exception", error)
    expect_equal(result, "ok", "call_with_budget(slow, then fast)")
    expect_equal(dependency.timeouts, [2.0, 2.0], "the timeouts passed to the dependency")
    expect_equal(clock.now(), 2.5, "seconds spent")


@q3.case(
    "never spends more than the budget: the last try gets what is left",
    hint="timeout = min(per_try_timeout, budget - elapsed); stop when nothing is left",
)
def _budget_spent(call_with_budget: Callable[..., Any]) -> None:
    _, error, dependency, clock = _budget_call(call_with_budget, [9.0])
    expect(isinstance(error, TimeoutError), "TimeoutError when the budget runs out", error)
    expect_equal(dependency.timeouts, [2.0, 2.0, 1.0], "the timeouts passed to the dependency")
    expect(clock.now() <= 5.0, "at most 5.0 s spent", clock.now())


@q3.case("retries connection errors inside the budget", grading_only=True, hint="same loop")
def _connection_errors(call_with_budget: Callable[..., Any]) -> None:
    result, error, dependency, _ = _budget_call(call_with_budget, ["fail", "fail", 0.1])
    expect(error is None, "no exception", error)
    expect_equal((result, dependency.calls), ("ok", 3), "(result, calls)")
