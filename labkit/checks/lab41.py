"""Checks for lab41: retries with backoff, a circuit breaker and a router with fallbacks."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from labkit.checks._clock import FakeClock
from labkit.checks._core import Lab, Text, expect, expect_equal
from labkit.errors import LLMAuthError, LLMBadRequest, LLMError, LLMProviderDown, LLMRateLimited
from labkit.llm import ChatRequest, Completion, FakeChatModel, Usage

lab = Lab("lab41")
q1 = lab.question("q1", "with_retries")
q2 = lab.question("q2", "CircuitBreaker")
q3 = lab.question("q3", "Router")
summary = lab.summary

QUESTION = [{"role": "user", "content": "Classify: my invoice is wrong"}]


def faulty_provider(
    name: str, faults: list[LLMError | None], *, tokens: tuple[int, int] = (100, 20)
) -> FakeChatModel:
    """Build a fault-injecting fake: the n-th call raises ``faults[n]``, or answers when it is None.

    After the script runs out it keeps answering. Each answer reports ``tokens`` of usage.
    """
    script: Iterator[LLMError | None] = iter(faults)

    def handler(request: ChatRequest) -> Completion:
        fault = next(script, None)
        if fault is not None:
            raise fault
        return Completion(f"answer from {name}", usage=Usage(*tokens), model=name)

    return FakeChatModel(handler, model=name)


def _scripted(outcomes: list[Exception | str]) -> tuple[Callable[[], str], list[int]]:
    calls = [0]
    script = iter(outcomes)

    def call() -> str:
        calls[0] += 1
        outcome = next(script, "ok")
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    return call, calls


@q1.case("returns the first success, retrying transient errors", hint="catch LLMError subclasses")
def _retries(with_retries: Callable[..., Any]) -> None:
    clock = FakeClock()
    call, calls = _scripted([LLMProviderDown("503"), LLMRateLimited("429"), "ok"])
    got = with_retries(call, attempts=4, base_delay=0.5, sleep=clock.sleep)
    expect_equal(got, "ok", "with_retries(<fails twice, then 'ok'>)")
    expect_equal(calls[0], 3, "the number of calls")


@q1.case(
    "waits base_delay * 2**n between attempts, capped at max_delay",
    hint="the first retry waits base_delay, then 2x, 4x … but never more than max_delay",
)
def _backoff(with_retries: Callable[..., Any]) -> None:
    clock = FakeClock()
    call, _ = _scripted([LLMProviderDown("503")] * 4)
    with_retries(call, attempts=5, base_delay=1.0, max_delay=3.0, sleep=clock.sleep)
    expect_equal(clock.sleeps, [1.0, 2.0, 3.0, 3.0], "the delays slept")


@q1.case(
    "never retries a bad request or an auth error",
    hint="LLMBadRequest and LLMAuthError will fail again: re-raise them at once",
)
def _no_retry(with_retries: Callable[..., Any]) -> None:
    for error in (LLMBadRequest("400"), LLMAuthError("401")):
        clock = FakeClock()
        call, calls = _scripted([error, "ok"])
        try:
            with_retries(call, attempts=3, base_delay=1.0, sleep=clock.sleep)
        except type(error):
            pass
        else:
            expect(False, f"{type(error).__name__} to be raised", Text("a return"))
        expect_equal(calls[0], 1, f"calls after {type(error).__name__}")


@q1.case("re-raises the last error after `attempts` calls", grading_only=True)
def _gives_up(with_retries: Callable[..., Any]) -> None:
    clock = FakeClock()
    call, calls = _scripted([LLMProviderDown("a"), LLMProviderDown("b"), LLMProviderDown("c")])
    try:
        with_retries(call, attempts=3, base_delay=0.1, sleep=clock.sleep)
    except LLMProviderDown as error:
        expect_equal(str(error), "c", "the error raised")
    expect_equal(calls[0], 3, "the number of calls")
    expect_equal(len(clock.sleeps), 2, "the number of sleeps (none after the last attempt)")


@q2.case("starts closed and opens after failure_threshold failures in a row")
def _opens(breaker_class: type) -> None:
    clock = FakeClock()
    breaker = breaker_class(failure_threshold=3, reset_after_s=10.0, clock=clock)
    expect_equal(breaker.state, "closed", "state of a new breaker")
    for _ in range(2):
        breaker.record_failure()
    expect_equal(breaker.allow(), True, "allow() after 2 failures")
    breaker.record_failure()
    expect_equal(breaker.state, "open", "state after 3 failures")
    expect_equal(breaker.allow(), False, "allow() while open")


@q2.case("a success resets the count of failures", hint="failures must be consecutive")
def _resets(breaker_class: type) -> None:
    breaker = breaker_class(failure_threshold=2, reset_after_s=10.0, clock=FakeClock())
    breaker.record_failure()
    breaker.record_success()
    breaker.record_failure()
    expect_equal(breaker.state, "closed", "state after failure, success, failure")


@q2.case(
    "half-opens after reset_after_s: one probe, closing on success, reopening on failure",
    hint="compare clock() with the time it opened; in half-open, allow() lets one call through",
)
def _half_open(breaker_class: type) -> None:
    clock = FakeClock()
    breaker = breaker_class(failure_threshold=1, reset_after_s=10.0, clock=clock)
    breaker.record_failure()
    clock.sleep(9.9)
    expect_equal(breaker.allow(), False, "allow() 9.9 s after opening")
    clock.sleep(0.2)
    expect_equal(breaker.allow(), True, "allow() 10.1 s after opening")
    expect_equal(breaker.state, "half-open", "state during the probe")
    breaker.record_failure()
    expect_equal(breaker.state, "open", "state after a failed probe")
    clock.sleep(10.5)
    expect_equal(breaker.allow(), True, "allow() after another 10.5 s")
    breaker.record_success()
    expect_equal(breaker.state, "closed", "state after a successful probe")


@q2.case("half-open lets only one probe through at a time", grading_only=True)
def _one_probe(breaker_class: type) -> None:
    clock = FakeClock()
    breaker = breaker_class(failure_threshold=1, reset_after_s=5.0, clock=clock)
    breaker.record_failure()
    clock.sleep(6.0)
    expect_equal([breaker.allow(), breaker.allow()], [True, False], "two allow() when half-open")


def _router(router_class: type, routes: dict[str, list[Any]], clock: FakeClock) -> Any:
    return router_class(routes, failure_threshold=2, reset_after_s=30.0, clock=clock)


@q3.case("routes each task to its own model (model per task)")
def _routes(router_class: type) -> None:
    cheap, big = faulty_provider("gpt-4o-mini", []), faulty_provider("gpt-4o", [])
    router = _router(router_class, {"classify": [cheap], "reason": [big]}, FakeClock())
    expect_equal(router.complete("classify", QUESTION).text, "answer from gpt-4o-mini", "classify")
    expect_equal(router.complete("reason", QUESTION).text, "answer from gpt-4o", "reason")


@q3.case(
    "falls back to the next provider when one fails",
    hint="catch LLMError per provider, record the failure, try the next",
)
def _fallback(router_class: type) -> None:
    first = faulty_provider("claude-haiku-4-5", [LLMProviderDown("529 overloaded")])
    second = faulty_provider("gpt-4o-mini", [])
    router = _router(router_class, {"classify": [first, second]}, FakeClock())
    got = router.complete("classify", QUESTION).text
    expect_equal(got, "answer from gpt-4o-mini", "the answer when the first provider is down")


@q3.case(
    "skips a provider whose breaker is open, and probes it again after reset_after_s",
    hint="one CircuitBreaker per provider, asked allow() before each call",
)
def _skips_open(router_class: type) -> None:
    clock = FakeClock()
    down = faulty_provider("gemini-2.5-flash", [LLMProviderDown("503")] * 2)
    backup = faulty_provider("gpt-4o-mini", [])
    router = _router(router_class, {"classify": [down, backup]}, clock)
    for _ in range(4):
        router.complete("classify", QUESTION)
    expect_equal(len(down.requests), 2, "calls to the failing provider over 4 requests")
    clock.sleep(31.0)
    got = router.complete("classify", QUESTION).text
    expect_equal(got, "answer from gemini-2.5-flash", "the answer after the breaker's reset time")


@q3.case(
    "adds up the dollars spent, per model, at list price",
    hint="cost_usd(completion.usage, completion.model) from the setup cell",
)
def _spend(router_class: type) -> None:
    cheap = faulty_provider("gpt-4o-mini", [], tokens=(1_000_000, 0))
    router = _router(router_class, {"classify": [cheap]}, FakeClock())
    router.complete("classify", QUESTION)
    router.complete("classify", QUESTION)
    expect(
        abs(router.spent_usd - 0.30) < 1e-9,
        "spent_usd == 0.30 (2 x 1M input at $0.15)",
        router.spent_usd,
    )


@q3.case(
    "raises LLMProviderDown naming the task when every provider fails; ValueError for an "
    "unknown task",
    grading_only=True,
)
def _all_down(router_class: type) -> None:
    downs = [faulty_provider(n, [LLMProviderDown("x")] * 9) for n in ("a", "b")]
    router = _router(router_class, {"classify": downs}, FakeClock())
    try:
        router.complete("classify", QUESTION)
    except LLMProviderDown as error:
        expect("classify" in str(error), "the message to name the task", str(error))
    else:
        expect(False, "LLMProviderDown", Text("a return"))
    try:
        router.complete("translate", QUESTION)
    except ValueError:
        return
    expect(False, "ValueError for an unknown task", Text("no error"))
