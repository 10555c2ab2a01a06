"""Tests for lab53's checks: reference answers pass, plausible wrong answers fail."""

from __future__ import annotations

import math
from collections.abc import Sequence

import pytest

from labkit.checks import GRADING_ENV
from labkit.checks import lab53 as check


@pytest.fixture(autouse=True)
def _local(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run as a learner does: grading-only cases stay off unless a test asks for them."""
    monkeypatch.delenv(GRADING_ENV, raising=False)


def recall(ranked: Sequence[str], relevant: set[str], k: int) -> float:
    return len(set(ranked[:k]) & relevant) / len(relevant) if relevant else 0.0


def rr(ranked: Sequence[str], relevant: set[str]) -> float:
    return next((1.0 / r for r, item in enumerate(ranked, 1) if item in relevant), 0.0)


def ndcg(ranked: Sequence[str], relevant: set[str], k: int) -> float:
    dcg = sum(1 / math.log2(i + 2) for i, item in enumerate(ranked[:k]) if item in relevant)
    ideal = sum(1 / math.log2(i + 2) for i in range(min(k, len(relevant))))
    return dcg / ideal if ideal else 0.0


def ndcg_without_ideal(ranked: Sequence[str], relevant: set[str], k: int) -> float:
    return sum(1 / math.log2(i + 2) for i, item in enumerate(ranked[:k]) if item in relevant)


def regressions(
    baseline: dict[str, dict[str, float]], current: dict[str, dict[str, float]], tolerance: float
) -> list[str]:
    out = []
    for suite, metrics in baseline.items():
        for metric, value in metrics.items():
            now = current.get(suite, {}).get(metric)
            if now is None or now < value - tolerance:
                out.append(f"{suite}.{metric}")
    return sorted(out)


def regressions_skipping_missing(
    baseline: dict[str, dict[str, float]], current: dict[str, dict[str, float]], tolerance: float
) -> list[str]:
    return sorted(
        f"{suite}.{metric}"
        for suite, metrics in baseline.items()
        for metric, value in metrics.items()
        if current.get(suite, {}).get(metric, value) < value - tolerance
    )


def test_do_the_metrics_pass_including_the_sklearn_cross_check() -> None:
    assert check.q1.evaluate(recall, rr, ndcg, grading_only=True).passed


def test_does_an_unnormalised_ndcg_fail_with_the_discount_hint() -> None:
    feedback = check.q1.evaluate(recall, rr, ndcg_without_ideal)
    assert not feedback.passed
    assert "divide by the ideal DCG" in str(feedback)


def test_does_regression_detection_pass_and_ignoring_missing_metrics_fail() -> None:
    assert check.q3.evaluate(regressions, grading_only=True).passed
    feedback = check.q3.evaluate(regressions_skipping_missing)
    assert not feedback.passed
    assert "must not pass silently" in str(feedback)


def test_does_an_empty_suite_report_fail_q2() -> None:
    feedback = check.q2.evaluate(lambda *args: {})
    assert not feedback.passed
    assert "the suites and metric names" in str(feedback)
