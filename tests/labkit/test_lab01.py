"""Tests for lab01's checks: golden feedback, and plausible wrong answers that must fail."""

from __future__ import annotations

import asyncio
import json
import random
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import pytest

from labkit.checks import GRADING_ENV
from labkit.checks import lab01 as check

T = TypeVar("T")
E = TypeVar("E")


@pytest.fixture(autouse=True)
def _local(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run as a learner does: grading-only cases stay off unless a test turns them on."""
    monkeypatch.delenv(GRADING_ENV, raising=False)


@dataclass(frozen=True)
class Ok(Generic[T]):
    value: T


@dataclass(frozen=True)
class Err(Generic[E]):
    error: E


def parse_rating(reply: str) -> Ok[int] | Err[str]:
    try:
        data = json.loads(reply)
    except json.JSONDecodeError:
        return Err("not JSON")
    rating = data.get("rating") if isinstance(data, dict) else None
    if type(rating) is not int or not 1 <= rating <= 5:
        return Err("rating must be an int from 1 to 5")
    return Ok(rating)


def test_does_a_correct_result_pass_q1_with_grading_cases() -> None:
    assert check.q1.evaluate(Ok, Err, parse_rating, grading_only=True).passed


def test_does_a_parser_that_raises_fail_with_golden_feedback() -> None:
    def raising(reply: str) -> Ok[int] | Err[str]:
        return Ok(int(json.loads(reply)["rating"]))

    assert str(check.q1.evaluate(Ok, Err, raising)) == (
        "lab01.q1 Ok, Err, parse_rating: 3/4 local cases passed (3/4 pts) + 1 grading-only case "
        "(1 pt) not run here\n"
        "  ✓ Ok and Err hold a value and an error, compare by value and are frozen\n"
        "  ✓ works with match: case Ok(value) and case Err(error)\n"
        "  ✓ parse_rating returns Ok(rating) for a valid reply\n"
        "  ✗ parse_rating returns Err(message) instead of raising for bad replies: raised "
        "JSONDecodeError: Expecting value: line 1 column 1 (char 0)\n"
        "    hint: catch json.JSONDecodeError; check isinstance(data, dict), the key, the type "
        "and 1..5"
    )


def test_does_a_result_without_frozen_fail_the_first_case() -> None:
    @dataclass
    class MutableOk(Generic[T]):
        value: T

    feedback = check.q1.evaluate(MutableOk, Err, parse_rating)
    assert [result.passed for result in feedback.results] == [False, True, False, True]


def test_does_isinstance_int_let_true_through_in_grading() -> None:
    def lenient(reply: str) -> Ok[int] | Err[str]:
        result = parse_rating(reply)
        data = json.loads(reply) if reply.startswith("{") else None
        if isinstance(data, dict) and isinstance(data.get("rating"), int):
            return Ok(int(data["rating"])) if 1 <= data["rating"] <= 5 else result
        return result

    feedback = str(check.q1.evaluate(Ok, Err, lenient, grading_only=True))
    assert (
        "  ✗ [grading-only] rejects true, which isinstance(True, int) accepts: expected "
        "parse_rating('{\"rating\": true}') to be Err(<a message>), got ok 1"
    ) in feedback


class OpenAIAdapter:
    def __init__(self, client: Any, model: str) -> None:
        self.client, self.model = client, model

    def complete(self, prompt: str, *, system: str = "") -> check.Completion:
        messages = [{"role": "system", "content": system}] if system else []
        messages.append({"role": "user", "content": prompt})
        response = self.client.chat.completions.create(model=self.model, messages=messages)
        usage = response.usage
        text = response.choices[0].message.content
        return check.Completion(text, usage.prompt_tokens, usage.completion_tokens)


class AnthropicAdapter:
    def __init__(self, client: Any, model: str, max_tokens: int = 1024) -> None:
        self.client, self.model, self.max_tokens = client, model, max_tokens

    def complete(self, prompt: str, *, system: str = "") -> check.Completion:
        response = self.client.messages.create(
            model=self.model,
            max_tokens=self.max_tokens,
            system=system,
            messages=[{"role": "user", "content": prompt}],
        )
        text = "".join(block.text for block in response.content if block.type == "text")
        return check.Completion(text, response.usage.input_tokens, response.usage.output_tokens)


def test_do_correct_adapters_pass_q2_with_grading_cases() -> None:
    assert check.q2.evaluate(OpenAIAdapter, AnthropicAdapter, grading_only=True).passed


def test_does_an_adapter_that_sends_an_empty_system_message_fail_with_golden_feedback() -> None:
    class Always(OpenAIAdapter):
        def complete(self, prompt: str, *, system: str = "") -> check.Completion:
            messages = [{"role": "system", "content": system}, {"role": "user", "content": prompt}]
            response = self.client.chat.completions.create(model=self.model, messages=messages)
            usage = response.usage
            text = response.choices[0].message.content
            return check.Completion(text, usage.prompt_tokens, usage.completion_tokens)

    lines = str(check.q2.evaluate(Always, AnthropicAdapter)).splitlines()
    assert lines[2:4] == [
        "  ✗ OpenAIAdapter maps text and usage, and sends system as a first message only when "
        "given: expected the messages for complete('hi'), with no system to return "
        "[{'role': 'user', 'content': 'hi'}], got [{'role': 'system', 'content': ''}, "
        "{'role': 'user', 'con...",
        "    hint: messages = [{'role': 'system', ...}] if system else [], then the user message; "
        "read choices[0].message.content and usage.prompt_tokens / completion_tokens",
    ]


def test_does_an_adapter_that_keeps_thinking_blocks_fail() -> None:
    class Everything(AnthropicAdapter):
        def complete(self, prompt: str, *, system: str = "") -> check.Completion:
            response = self.client.messages.create(
                model=self.model, max_tokens=1, system=system, messages=[]
            )
            text = "|".join(block.text for block in response.content)
            return check.Completion(text, 0, 0)

    feedback = check.q2.evaluate(OpenAIAdapter, Everything)
    assert [result.passed for result in feedback.results] == [False, True, False]


async def fetch_all(
    fetch: Callable[[str], Awaitable[T]],
    keys: Sequence[str],
    *,
    limit: int,
    retries: int = 2,
    base_delay: float = 0.01,
) -> list[Ok[T] | Err[str]]:
    semaphore = asyncio.Semaphore(limit)

    async def one(key: str) -> Ok[T] | Err[str]:
        async with semaphore:
            for attempt in range(retries + 1):
                try:
                    return Ok(await fetch(key))
                except check.TransientError:
                    if attempt == retries:
                        break
                    await asyncio.sleep(random.uniform(0, base_delay * 2**attempt))
                except Exception as error:
                    return Err(str(error))
        return Err(f"{key}: gave up")

    return list(await asyncio.gather(*(one(key) for key in keys)))


def test_does_a_bounded_fetcher_pass_q3_with_grading_cases() -> None:
    assert check.q3.evaluate(fetch_all, grading_only=True).passed


def test_does_an_unbounded_gather_fail_only_the_backpressure_case() -> None:
    async def unbounded(
        fetch: Callable[[str], Awaitable[T]], keys: Sequence[str], *, limit: int, **options: Any
    ) -> list[Ok[T] | Err[str]]:
        return await fetch_all(fetch, keys, limit=len(keys) or 1, **options)

    feedback = check.q3.evaluate(unbounded)
    lines = str(feedback).splitlines()
    assert lines[2:4] == [
        "  ✗ never has more than limit calls in flight, and does reach limit: expected the most "
        "calls in flight with limit=1 to return 1, got 20",
        "    hint: async with an asyncio.Semaphore(limit) around each fetch; gather every task",
    ]
    assert sum(not result.passed for result in feedback.results) == 1


def test_does_a_sequential_loop_fail_the_backpressure_and_speed_cases() -> None:
    async def sequential(
        fetch: Callable[[str], Awaitable[T]], keys: Sequence[str], *, limit: int, **options: Any
    ) -> list[Ok[T] | Err[str]]:
        return [(await fetch_all(fetch, [key], limit=1, **options))[0] for key in keys]

    feedback = check.q3.evaluate(sequential)
    failed = [result.case.name for result in feedback.results if not result.passed]
    assert failed == [
        "never has more than limit calls in flight, and does reach limit",
        "is at least 4x faster than one at a time with limit=10",
    ]


def test_does_a_fixed_backoff_without_jitter_fail_the_jitter_case() -> None:
    async def lockstep(
        fetch: Callable[[str], Awaitable[T]], keys: Sequence[str], *, limit: int, **options: Any
    ) -> list[Ok[T] | Err[str]]:
        random_uniform = random.uniform
        random.uniform = lambda low, high: high  # type: ignore[assignment]
        try:
            return await fetch_all(fetch, keys, limit=limit, **options)
        finally:
            random.uniform = random_uniform

    feedback = check.q3.evaluate(lockstep)
    failed = [result.case.name for result in feedback.results if not result.passed]
    assert failed == ["waits between retries, with jitter so clients don't retry in lockstep"]


class MeteredChat:
    def __init__(self, inner: check.ChatPort, sink: list[check.CallEvent]) -> None:
        self.inner, self.sink = inner, sink

    def complete(self, prompt: str, *, system: str = "") -> check.Completion:
        start = time.perf_counter()
        event: check.CallEvent = {
            "prompt_chars": len(prompt),
            "input_tokens": 0,
            "output_tokens": 0,
            "seconds": 0.0,
            "error": None,
        }
        try:
            completion = self.inner.complete(prompt, system=system)
        except Exception as error:
            event["error"] = type(error).__name__
            raise
        else:
            event["input_tokens"] = completion.input_tokens
            event["output_tokens"] = completion.output_tokens
            return completion
        finally:
            event["seconds"] = time.perf_counter() - start
            self.sink.append(event)


def test_does_a_metering_decorator_pass_q4_with_grading_cases() -> None:
    assert check.q4.evaluate(MeteredChat, grading_only=True).passed


def test_does_a_decorator_that_swallows_errors_fail_with_golden_feedback() -> None:
    class Swallowing(MeteredChat):
        def complete(self, prompt: str, *, system: str = "") -> check.Completion:
            try:
                return super().complete(prompt, system=system)
            except Exception:
                return check.Completion("", 0, 0)

    lines = str(check.q4.evaluate(Swallowing)).splitlines()
    assert lines[3:5] == [
        "  ✗ records a failure with its type name, then re-raises the same exception: expected "
        "complete to re-raise TimeoutError, got no exception",
        "    hint: try/except Exception as error: record type(error).__name__, then raise",
    ]
