"""Tests for lab21's checks: a correct answer passes, plausible wrong answers fail."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import brier_score_loss, roc_auc_score

from labkit.checks import GRADING_ENV
from labkit.checks import lab21 as check


@pytest.fixture(autouse=True)
def _local(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run as a learner does: grading-only cases stay off unless a test turns them on."""
    monkeypatch.delenv(GRADING_ENV, raising=False)


@dataclasses.dataclass
class Report:
    global_metrics: dict[str, float]
    per_segment: pd.DataFrame
    worst_segment: str
    leakage_checklist: dict[str, bool]


def build_report(
    y: np.ndarray, p: np.ndarray, segments: pd.Series, checklist: dict[str, bool]
) -> Report:
    if not all(checklist.get(item, False) for item in check.CHECKLIST):
        raise ValueError("leakage checklist not passed")
    table = check.reference_segments(y, p, segments)
    return Report(
        {
            "roc_auc": roc_auc_score(y, p),
            "brier": brier_score_loss(y, p),
            "ece": check.reference_ece(y, p),
        },
        table,
        str(table["roc_auc"].idxmin()),
        dict(checklist),
    )


def test_does_the_reference_pass_every_question_with_grading_cases() -> None:
    assert check.q1.evaluate(check.reference_ece, grading_only=True).passed
    assert check.q2.evaluate(check.reference_segments, grading_only=True).passed
    assert check.q3.evaluate(build_report, grading_only=True).passed


def test_does_an_unweighted_ece_fail_with_a_hint() -> None:
    def unweighted(y: np.ndarray, p: np.ndarray, n_bins: int = 10) -> float:
        bins = np.minimum((p * n_bins).astype(int), n_bins - 1)
        gaps = [abs(p[bins == b].mean() - y[bins == b].mean()) for b in np.unique(bins)]
        return float(np.mean(gaps))

    feedback = check.q1.evaluate(unweighted)
    assert not feedback.passed
    assert "hint: sum over bins of (rows in bin / all rows)" in str(feedback)


def test_does_an_ece_that_drops_p_equal_1_fail_the_edge_case() -> None:
    def extra_bin(y: np.ndarray, p: np.ndarray, n_bins: int = 10) -> float:
        bins = (p * n_bins).astype(int)
        return float(
            sum(
                (bins == b).mean() * abs(p[bins == b].mean() - y[bins == b].mean())
                for b in range(n_bins)
                if (bins == b).any()
            )
        )

    results = check.q1.evaluate(extra_bin).results
    assert [r.passed for r in results] == [True, True, False]


def test_does_a_report_that_accepts_a_failed_checklist_fail() -> None:
    def lenient(y: np.ndarray, p: np.ndarray, s: pd.Series, c: dict[str, bool]) -> Report:
        return build_report(y, p, s, dict.fromkeys(check.CHECKLIST, True))

    feedback = check.q3.evaluate(lenient)
    assert [r.passed for r in feedback.results] == [True, True, True, False]
