"""Tests for lab71's checks: a correct answer passes, plausible wrong answers fail."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd
import pytest

from labkit.checks import GRADING_ENV
from labkit.checks import lab71 as check


@pytest.fixture(autouse=True)
def _local(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run as a learner does: grading-only cases stay off unless a test turns them on."""
    monkeypatch.delenv(GRADING_ENV, raising=False)


def test_does_the_reference_pass_every_question_with_grading_cases() -> None:
    assert check.q1.evaluate(check.psi, grading_only=True).passed
    assert check.q2.evaluate(
        check.quality_problems, check.monitor_windows, grading_only=True
    ).passed
    assert check.q3.evaluate(
        check.burn_rate, check.budget_left, check.should_page, grading_only=True
    ).passed


def test_does_a_psi_binned_on_the_current_sample_fail_with_a_hint() -> None:
    def psi_current_bins(reference: Any, current: Any, bins: int = 10) -> float:
        return check.psi(current, reference, bins)

    text = str(check.q1.evaluate(psi_current_bins))
    assert "✗ matches the reference on a shifted normal" in text
    assert "hint: edges = np.quantile(reference" in text


def test_does_a_psi_that_returns_zero_for_empty_samples_lose_the_bad_input_case() -> None:
    def lenient(reference: Any, current: Any, bins: int = 10) -> float:
        if len(reference) == 0 or len(current) == 0:
            return 0.0
        return check.psi(reference, current, bins)

    feedback = check.q1.evaluate(lenient)
    failed = [r.case.name for r in feedback.results if not r.passed]
    assert failed == ["rejects empty and non-numeric samples with clear errors"]


def test_does_a_monitor_without_a_quality_gate_miss_the_blocked_windows() -> None:
    def ungated(
        reference: pd.DataFrame,
        windows: Sequence[pd.DataFrame],
        valid_ranges: dict[str, tuple[float, float]],
        threshold: float = 0.2,
    ) -> list[dict[str, Any]]:
        report = check.monitor_windows(reference, windows, valid_ranges, threshold=threshold)
        return [{**row, "status": "ok" if row["problems"] else row["status"]} for row in report]

    text = str(check.q2.evaluate(check.quality_problems, ungated))
    assert "✗ alerts at the injected drift window and not before" in text
    assert "'blocked'" in text


def test_does_the_drift_show_up_only_from_the_injected_window() -> None:
    reference, windows = check.simulated_traffic(3)
    statuses = [
        row["status"] for row in check.monitor_windows(reference, windows, check.VALID_RANGES)
    ]
    assert statuses[: check.DRIFT_AT] == ["ok", "ok", "blocked", "blocked", "ok"]
    assert set(statuses[check.DRIFT_AT :]) == {"drift"}


def test_does_a_single_window_pager_fail_the_blip_case() -> None:
    def short_window_only(counts: dict[str, tuple[int, int]], slo: float) -> bool:
        return check.burn_rate(*counts["5m"], slo) > check.FAST_BURN

    feedback = check.q3.evaluate(check.burn_rate, check.budget_left, short_window_only)
    failed = [r.case.name for r in feedback.results if not r.passed]
    assert failed == ["does not page for a brief blip or a burn that already stopped"]


@pytest.mark.parametrize(
    ("reference", "current", "error"),
    [([], [1.0], ValueError), ([1.0], [], ValueError), ([1.0, 2.0], ["a"], TypeError)],
)
def test_does_psi_reject_bad_samples_with_a_clear_error(
    reference: list[Any], current: list[Any], error: type[Exception]
) -> None:
    with pytest.raises(error, match=r"empty|numbers"):
        check.psi(reference, current)


def test_is_budget_left_negative_when_overspent_and_one_when_untouched() -> None:
    assert check.budget_left(0, 1_000, 0.999) == 1.0
    assert check.budget_left(3, 1_000, 0.999) == pytest.approx(-2.0)


def test_does_should_page_name_the_missing_windows() -> None:
    with pytest.raises(KeyError, match="30m"):
        check.should_page({"5m": (0, 1), "1h": (0, 1), "6h": (0, 1)}, 0.999)
