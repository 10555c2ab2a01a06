"""Tests for lab20's checks: the reference passes, the leaky answers fail."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold, cross_val_score
from sklearn.pipeline import Pipeline

from labkit.checks import GRADING_ENV
from labkit.checks import lab20 as check


@pytest.fixture(autouse=True)
def _local(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run as a learner does, in smoke mode so the checks stay quick."""
    monkeypatch.delenv(GRADING_ENV, raising=False)


def honest_features(loans: pd.DataFrame) -> list[str]:
    return [c for c in loans.columns if c not in check.NOT_FEATURES]


def test_does_the_reference_pass_q1_to_q3_with_grading_cases() -> None:
    assert check.q1.evaluate(honest_features, grading_only=True).passed
    assert check.q2.evaluate(lambda n, c: check.reference_pipeline(), grading_only=True).passed
    assert check.q3.evaluate(check.reference_auc, grading_only=True).passed


def test_does_keeping_the_leaky_column_fail_only_the_leak_case() -> None:
    def leaky(loans: pd.DataFrame) -> list[str]:
        return [*honest_features(loans), "days_past_due_max"]

    assert [r.passed for r in check.q1.evaluate(leaky).results] == [True, False, True]


def test_does_a_pipeline_without_a_scaler_fail_the_structure_case() -> None:
    def bare(numeric: Sequence[str], categorical: Sequence[str]) -> Pipeline:
        pipeline = check.reference_pipeline()
        return Pipeline(
            [
                ("preprocess", pipeline.steps[0][1].set_params(numeric="passthrough")),
                ("model", LogisticRegression()),
            ]
        )

    feedback = check.q2.evaluate(bare)
    assert not feedback.results[1].passed
    assert "hint: a ColumnTransformer step" in str(feedback)


def test_does_a_random_kfold_score_fail_the_honest_score() -> None:
    def random_split(pipeline: Pipeline, loans: pd.DataFrame, features: Sequence[str]) -> float:
        cv = KFold(5, shuffle=True, random_state=0)
        X, y = loans[list(features)], loans["defaulted"]
        return float(np.mean(cross_val_score(clone(pipeline), X, y, cv=cv, scoring="roc_auc")))

    assert not check.q3.evaluate(random_split).passed


def test_does_always_picking_the_strongest_penalty_fail_q4() -> None:
    feedback = check.q4.evaluate(lambda pipeline, loans, features, cs: min(cs))
    assert not feedback.passed
