"""Checks for lab20, the leakage hunt: honest features, a pipeline, group CV, regularisation."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import cache
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, clone, is_classifier
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import RandomForestClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold, cross_val_score
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, StandardScaler

from labkit.checks._core import Lab, Text, expect
from labkit.datasets import load_loans
from labkit.settings import get_settings

lab = Lab("lab20")
q1 = lab.question("q1", "feature_columns")
q2 = lab.question("q2", "build_pipeline", time_limit=60)
q3 = lab.question("q3", "honest_cv_auc", time_limit=60)
q4 = lab.question("q4", "best_regularisation", time_limit=120)
summary = lab.summary

NUMERIC = [
    "age",
    "income",
    "employment_years",
    "credit_score",
    "loan_amount",
    "term_months",
    "debt_to_income",
]
CATEGORICAL = ["region", "channel", "home_ownership", "purpose"]
NOT_FEATURES = {
    "loan_id",
    "applicant_id",
    "application_date",
    "days_past_due_max",
    "p_default",
    "defaulted",
}
TOLERANCE = 0.01


@cache
def loans() -> pd.DataFrame:
    """Return the course's loans (smoke-sized in smoke mode), loaded once per session."""
    return load_loans(get_settings())


def reference_pipeline(c: float = 1.0) -> Pipeline:
    """Imputer and scaler for numbers, one-hot for categories, a logistic regression."""
    preprocess = ColumnTransformer(
        [
            ("numeric", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), NUMERIC),
            ("categorical", OneHotEncoder(handle_unknown="ignore"), CATEGORICAL),
        ]
    )
    return Pipeline([("preprocess", preprocess), ("model", LogisticRegression(C=c, max_iter=2000))])


def memorising_pipeline() -> Pipeline:
    """Return a random forest pipeline: it recognises repeat applicants, so KFold flatters it."""
    preprocess = ColumnTransformer(
        [
            ("numeric", SimpleImputer(strategy="median"), NUMERIC),
            (
                "categorical",
                OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1),
                CATEGORICAL,
            ),
        ]
    )
    forest = RandomForestClassifier(n_estimators=40, random_state=0, n_jobs=1)
    return Pipeline([("preprocess", preprocess), ("model", forest)])


def reference_auc(pipeline: BaseEstimator, frame: pd.DataFrame, features: list[str]) -> float:
    """Mean ROC AUC over 5 group folds by applicant: the honest score."""
    scores = cross_val_score(
        clone(pipeline),
        frame[features],
        frame["defaulted"],
        groups=frame["applicant_id"],
        cv=GroupKFold(5),
        scoring="roc_auc",
    )
    return float(np.mean(scores))


def estimators_in(estimator: Any) -> Iterator[Any]:
    """Every estimator nested in a Pipeline or ColumnTransformer, the outer one first."""
    yield estimator
    if isinstance(estimator, Pipeline):
        for _, step in estimator.steps:
            yield from estimators_in(step)
    elif isinstance(estimator, ColumnTransformer):
        for _, transformer, _ in estimator.transformers:
            yield from estimators_in(transformer)


@q1.case("drops the label, the ids, the date and p_default", hint="what does a new row lack?")
def _no_label(feature_columns: Callable[..., list[str]]) -> None:
    got = feature_columns(loans())
    bad = sorted(set(got) & (NOT_FEATURES - {"days_past_due_max"}))
    expect(not bad, "no label, id, date or truth column", bad)


@q1.case(
    "drops days_past_due_max, known only after the loan ran",
    hint="ask of every column: is it known when the application arrives?",
)
def _no_leak(feature_columns: Callable[..., list[str]]) -> None:
    got = feature_columns(loans())
    expect("days_past_due_max" not in got, "no days_past_due_max", got)


@q1.case("keeps every honest feature, numeric and categorical")
def _keeps(feature_columns: Callable[..., list[str]]) -> None:
    got = feature_columns(loans())
    missing = sorted(set(NUMERIC + CATEGORICAL) - set(got))
    expect(not missing, "all 11 application-time features", Text(f"missing {missing}"))


@q1.case("works on a frame with the columns shuffled", grading_only=True)
def _shuffled(feature_columns: Callable[..., list[str]]) -> None:
    frame = loans()
    got = feature_columns(frame[list(reversed(frame.columns))])
    expect(sorted(got) == sorted(NUMERIC + CATEGORICAL), "the same 11 features", got)


@q2.case("returns an unfitted Pipeline that ends in a classifier")
def _is_pipeline(build_pipeline: Callable[..., Any]) -> None:
    pipeline = build_pipeline(NUMERIC, CATEGORICAL)
    expect(isinstance(pipeline, Pipeline), "a sklearn Pipeline", pipeline)
    expect(
        is_classifier(pipeline.steps[-1][1]), "a classifier as the last step", pipeline.steps[-1]
    )


@q2.case(
    "puts the imputer and scaler inside the pipeline, so each fold fits its own",
    hint="a ColumnTransformer step with make_pipeline(SimpleImputer(...), StandardScaler())",
)
def _scaler_inside(build_pipeline: Callable[..., Any]) -> None:
    kinds = {type(step).__name__ for step in estimators_in(build_pipeline(NUMERIC, CATEGORICAL))}
    expect(
        {"StandardScaler", "SimpleImputer"} <= kinds,
        "a StandardScaler and SimpleImputer",
        Text(", ".join(sorted(kinds))),
    )


@q2.case("fits raw rows with missing incomes and scores well under group CV")
def _fits(build_pipeline: Callable[..., Any]) -> None:
    frame = loans()
    got = reference_auc(build_pipeline(NUMERIC, CATEGORICAL), frame, NUMERIC + CATEGORICAL)
    floor = reference_auc(reference_pipeline(), frame, NUMERIC + CATEGORICAL) - 0.03
    expect(got >= floor, f"a group-CV ROC AUC of at least {floor:.3f}", Text(f"{got:.3f}"))


@q2.case(
    "handles a category it never saw in training",
    grading_only=True,
    hint="OneHotEncoder(handle_unknown='ignore')",
)
def _unseen(build_pipeline: Callable[..., Any]) -> None:
    frame = loans()
    pipeline = build_pipeline(NUMERIC, CATEGORICAL).fit(
        frame[NUMERIC + CATEGORICAL], frame["defaulted"]
    )
    row = frame[NUMERIC + CATEGORICAL].head(1).assign(purpose="wedding")
    proba = pipeline.predict_proba(row)
    expect(proba.shape == (1, 2), "predict_proba for 1 row with purpose='wedding'", proba)


@q3.case(
    "matches the reference GroupKFold(5) ROC AUC",
    hint="cross_val_score(clone(pipeline), X, y, groups=loans['applicant_id'], cv=GroupKFold(5))",
)
def _honest(honest_cv_auc: Callable[..., float]) -> None:
    frame, features = loans(), NUMERIC + CATEGORICAL
    expected = reference_auc(memorising_pipeline(), frame, features)
    got = float(honest_cv_auc(memorising_pipeline(), frame, features))
    expect(abs(got - expected) <= TOLERANCE, f"{expected:.3f} ± {TOLERANCE}", Text(f"{got:.3f}"))


@q3.case("does not leave the pipeline fitted: it cross-validates a clone", grading_only=True)
def _clone(honest_cv_auc: Callable[..., float]) -> None:
    pipeline = reference_pipeline()
    honest_cv_auc(pipeline, loans(), NUMERIC + CATEGORICAL)
    expect(
        not hasattr(pipeline.steps[-1][1], "coef_"),
        "the passed pipeline still unfitted",
        Text("fitted"),
    )


@q4.case(
    "picks a C whose honest score is within 0.002 of the best",
    hint="for each C: pipeline.set_params(model__C=c), score it with honest_cv_auc, keep the best",
)
def _best_c(best_regularisation: Callable[..., float]) -> None:
    frame, features, grid = loans(), NUMERIC + CATEGORICAL, [0.001, 0.01, 0.1, 1.0, 10.0]
    scores = {c: reference_auc(reference_pipeline(c), frame, features) for c in grid}
    got = float(best_regularisation(reference_pipeline(), frame, features, grid))
    expect(got in scores, f"one of {grid}", got)
    expect(
        scores[got] >= max(scores.values()) - 0.002,
        f"a C scoring {max(scores.values()):.4f}",
        Text(f"C={got:g} scores {scores[got]:.4f}"),
    )


@q4.case("never picks the strongest penalty, which underfits", grading_only=True)
def _not_underfit(best_regularisation: Callable[..., float]) -> None:
    got = float(
        best_regularisation(reference_pipeline(), loans(), NUMERIC + CATEGORICAL, [1e-5, 0.1, 1.0])
    )
    expect(got != 1e-5, "not C=1e-5 (all coefficients shrunk to ~0)", got)
