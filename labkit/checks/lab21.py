"""Checks for lab21, the evaluation pack: ECE, per-segment metrics and a report object."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from fairlearn.metrics import MetricFrame, selection_rate
from sklearn.metrics import brier_score_loss, recall_score, roc_auc_score

from labkit.checks._core import Lab, Text, expect

lab = Lab("lab21")
q1 = lab.question("q1", "expected_calibration_error")
q2 = lab.question("q2", "segment_metrics")
q3 = lab.question("q3", "build_report")
summary = lab.summary

CHECKLIST = ("no_target_leakage", "split_by_group", "preprocessing_in_pipeline")
SEGMENT_COLUMNS = ["count", "roc_auc", "brier", "recall", "selection_rate"]


def reference_ece(y_true: np.ndarray, y_prob: np.ndarray, n_bins: int = 10) -> float:
    """Return the expected calibration error over equal-width bins, weighted by their size."""
    bins = np.minimum((y_prob * n_bins).astype(int), n_bins - 1)
    total = 0.0
    for b in np.unique(bins):
        inside = bins == b
        total += inside.mean() * abs(y_prob[inside].mean() - y_true[inside].mean())
    return float(total)


def reference_segments(
    y_true: np.ndarray, y_prob: np.ndarray, segments: pd.Series, threshold: float = 0.5
) -> pd.DataFrame:
    """Return per-segment metrics through fairlearn's MetricFrame, one row per segment."""
    frame = MetricFrame(
        metrics={
            "count": lambda t, p: float(len(t)),
            "roc_auc": roc_auc_score,
            "brier": brier_score_loss,
        },
        y_true=y_true,
        y_pred=y_prob,
        sensitive_features=segments,
    ).by_group
    hard = MetricFrame(
        metrics={"recall": recall_score, "selection_rate": selection_rate},
        y_true=y_true,
        y_pred=(y_prob >= threshold).astype(int),
        sensitive_features=segments,
    ).by_group
    return pd.concat([frame, hard], axis=1)[SEGMENT_COLUMNS].astype(float)


def example(seed: int = 0, n: int = 1_200) -> tuple[np.ndarray, np.ndarray, pd.Series]:
    """Return labels, over-confident probabilities and four segments, one harder than the rest."""
    rng = np.random.default_rng(seed)
    segments = pd.Series(rng.choice(["north", "south", "east", "west"], n, p=[0.4, 0.3, 0.2, 0.1]))
    truth = 1 / (1 + np.exp(-rng.normal(-1.0, 1.2, n)))
    y_true = (rng.random(n) < truth).astype(int)
    noise = np.where(segments == "west", 1.5, 0.3)
    logit = 1.6 * np.log(truth / (1 - truth)) + rng.normal(0, noise)
    return y_true, 1 / (1 + np.exp(-logit)), segments


def _close(got: float, expected: float, tolerance: float = 1e-6) -> bool:
    return bool(abs(float(got) - expected) <= tolerance)


@q1.case("is 0 for a perfectly calibrated bin and |p - rate| for one bin")
def _one_bin(expected_calibration_error: Callable[..., float]) -> None:
    y, p = np.array([1, 0, 1, 0]), np.array([0.5, 0.5, 0.5, 0.5])
    expect(
        _close(expected_calibration_error(y, p), 0.0),
        "0.0 for p=0.5, half positive",
        expected_calibration_error(y, p),
    )
    y2 = np.array([1, 0, 0, 0])
    got = expected_calibration_error(y2, p)
    expect(_close(got, 0.25), "0.25 for p=0.5 and a 25% positive rate", got)


@q1.case(
    "weights each bin by its share of the rows",
    hint="sum over bins of (rows in bin / all rows) * |mean p - positive rate|",
)
def _weights(expected_calibration_error: Callable[..., float]) -> None:
    y = np.array([0, 0, 0, 1, 0])
    p = np.array([0.05, 0.05, 0.05, 0.95, 0.95])
    expected = reference_ece(y, p)
    got = expected_calibration_error(y, p)
    expect(_close(got, expected), f"{expected:.4f}", got)


@q1.case("puts p = 1.0 in the last bin, not an extra one", hint="clip the bin index to n_bins - 1")
def _edge(expected_calibration_error: Callable[..., float]) -> None:
    y, p = np.array([0, 1, 1]), np.array([1.0, 0.95, 0.92])
    expected = reference_ece(y, p)
    got = expected_calibration_error(y, p)
    expect(_close(got, expected), f"{expected:.4f}", got)


@q1.case("matches the reference on 1,200 over-confident predictions", grading_only=True)
def _random(expected_calibration_error: Callable[..., float]) -> None:
    y, p, _ = example(seed=3)
    for bins in (5, 15):
        expected = reference_ece(y, p, bins)
        got = expected_calibration_error(y, p, n_bins=bins)
        expect(_close(got, expected), f"{expected:.5f} with n_bins={bins}", got)


def _compare_frames(got: Any, expected: pd.DataFrame) -> None:
    expect(isinstance(got, pd.DataFrame), "a DataFrame", got)
    expect(
        sorted(map(str, got.index)) == sorted(map(str, expected.index)),
        f"one row per segment {sorted(expected.index)}",
        list(got.index),
    )
    missing = [column for column in SEGMENT_COLUMNS if column not in got.columns]
    expect(not missing, f"columns {SEGMENT_COLUMNS}", list(got.columns))
    got = got.set_axis(list(map(str, got.index)))[SEGMENT_COLUMNS].astype(float)
    difference = (got.loc[expected.index] - expected).abs().max()
    worst = str(difference.idxmax())
    expect(
        float(difference.max()) < 1e-6,
        f"{worst} to match the reference",
        got[worst].round(4).tolist(),
    )


@q2.case(
    "gives count, ROC AUC, Brier, recall and selection rate per segment",
    hint="MetricFrame(metrics={...}, y_true=..., y_pred=..., sensitive_features=segments).by_group",
)
def _segments(segment_metrics: Callable[..., pd.DataFrame]) -> None:
    y, p, segments = example()
    _compare_frames(segment_metrics(y, p, segments), reference_segments(y, p, segments))


@q2.case("uses the threshold for recall and selection rate", hint="hard labels: p >= threshold")
def _threshold(segment_metrics: Callable[..., pd.DataFrame]) -> None:
    y, p, segments = example(seed=1)
    expected = reference_segments(y, p, segments, threshold=0.3)
    _compare_frames(segment_metrics(y, p, segments, threshold=0.3), expected)


@q2.case("works with other segment names and sizes", grading_only=True)
def _other(segment_metrics: Callable[..., pd.DataFrame]) -> None:
    y, p, segments = example(seed=5, n=800)
    renamed = segments.map({"north": "a", "south": "b", "east": "a", "west": "c"})
    _compare_frames(segment_metrics(y, p, renamed), reference_segments(y, p, renamed))


def _report(build_report: Callable[..., Any]) -> tuple[Any, np.ndarray, np.ndarray, pd.Series]:
    y, p, segments = example(seed=2)
    checklist = dict.fromkeys(CHECKLIST, True)
    return build_report(y, p, segments, checklist), y, p, segments


@q3.case("returns a dataclass with global, per_segment, worst_segment and checklist")
def _shape(build_report: Callable[..., Any]) -> None:
    report, *_ = _report(build_report)
    expect(dataclasses.is_dataclass(report), "a dataclass instance", report)
    fields = {field.name for field in dataclasses.fields(report)}
    wanted = {"global_metrics", "per_segment", "worst_segment", "leakage_checklist"}
    expect(wanted <= fields, f"fields {sorted(wanted)}", sorted(fields))


@q3.case(
    "global ROC AUC, Brier and ECE match the reference",
    hint="global_metrics = {'roc_auc': ..., 'brier': ..., 'ece': ...}, ece from Q1",
)
def _global(build_report: Callable[..., Any]) -> None:
    report, y, p, _ = _report(build_report)
    expected = {
        "roc_auc": roc_auc_score(y, p),
        "brier": brier_score_loss(y, p),
        "ece": reference_ece(y, p),
    }
    for name, value in expected.items():
        got = report.global_metrics.get(name)
        expect(got is not None and _close(got, value), f"{name} = {value:.4f}", got)


@q3.case("per_segment matches, and worst_segment has the lowest ROC AUC")
def _worst(build_report: Callable[..., Any]) -> None:
    report, y, p, segments = _report(build_report)
    expected = reference_segments(y, p, segments)
    _compare_frames(report.per_segment, expected)
    worst = str(expected["roc_auc"].idxmin())
    expect(str(report.worst_segment) == worst, f"worst_segment {worst!r}", report.worst_segment)


@q3.case(
    "refuses a checklist with a missing or failed leakage item",
    hint=f"raise ValueError naming the items; the keys are {', '.join(CHECKLIST)}",
)
def _checklist(build_report: Callable[..., Any]) -> None:
    y, p, segments = example(seed=2)
    for checklist in (
        {"no_target_leakage": True},
        {**dict.fromkeys(CHECKLIST, True), "split_by_group": False},
    ):
        try:
            build_report(y, p, segments, checklist)
        except ValueError:
            continue
        expect(False, "a ValueError", Text(f"a report for checklist {checklist}"))


@q3.case("keeps the checklist it was given", grading_only=True)
def _kept(build_report: Callable[..., Any]) -> None:
    report, *_ = _report(build_report)
    expect(
        dict(report.leakage_checklist) == dict.fromkeys(CHECKLIST, True),
        "the checklist as given",
        report.leakage_checklist,
    )
