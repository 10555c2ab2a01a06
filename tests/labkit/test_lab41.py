"""Tests for lab41's checks: the master's answers pass, plausible wrong answers fail."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from test_lab40 import master_namespace

from labkit.checks import GRADING_ENV
from labkit.checks import lab41 as check
from labkit.errors import LLMError, LLMProviderDown


@pytest.fixture(autouse=True)
def _local(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run as a learner does: grading-only cases stay off unless a test turns them on."""
    monkeypatch.delenv(GRADING_ENV, raising=False)


@pytest.fixture(scope="module")
def master() -> dict[str, Any]:
    return master_namespace("lab41-router-fallback.ipynb")


def test_does_the_master_pass_every_case_grading_included(master: dict[str, Any]) -> None:
    """Do the master's answers pass all three questions, grading-only cases included?"""
    assert check.q1.evaluate(master["with_retries"], grading_only=True).passed
    assert check.q2.evaluate(master["CircuitBreaker"], grading_only=True).passed
    assert check.q3.evaluate(master["Router"], grading_only=True).passed


def test_does_retrying_every_error_fail_the_bad_request_case() -> None:
    """Does a retry loop that also retries 400s and 401s fail, with the hint?"""

    def retry_all(
        call: Callable[[], Any],
        *,
        attempts: int = 3,
        base_delay: float = 0.5,
        max_delay: float = 8.0,
        sleep: Callable[[float], None] = print,
    ) -> Any:
        for attempt in range(attempts):
            try:
                return call()
            except LLMError:
                if attempt == attempts - 1:
                    raise
                sleep(min(base_delay * 2**attempt, max_delay))
        return None

    feedback = str(check.q1.evaluate(retry_all))
    assert "✗ never retries a bad request or an auth error" in feedback
    assert "hint: LLMBadRequest and LLMAuthError will fail again" in feedback


def test_does_a_breaker_that_never_half_opens_fail(master: dict[str, Any]) -> None:
    """Does a breaker that stays open forever fail the half-open case?"""

    breaker_class = master["CircuitBreaker"]

    class StaysOpen(breaker_class):  # type: ignore[misc, valid-type]
        def allow(self) -> bool:
            return bool(self.state == "closed")

    feedback = str(check.q2.evaluate(StaysOpen))
    assert "✗ half-opens after reset_after_s" in feedback


def test_does_the_faulty_provider_follow_its_script() -> None:
    """Does the fault-injecting fake raise its scripted faults, then answer?"""
    provider = check.faulty_provider("gpt-4o-mini", [LLMProviderDown("503"), None])
    with pytest.raises(LLMProviderDown):
        provider.complete(check.QUESTION)
    assert provider.complete(check.QUESTION).text == "answer from gpt-4o-mini"
    assert provider.complete(check.QUESTION).usage.input_tokens == 100
