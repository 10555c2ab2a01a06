"""A FastAPI scorer for single requests; it loads the exported linear model, not Spark."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi import FastAPI
from pydantic import BaseModel, ConfigDict, Field

from spark_ml_pipeline.score import LinearScorer


class Applicant(BaseModel):
    """One application's features, as the ETL computes them."""

    model_config = ConfigDict(extra="forbid")

    age: float = Field(ge=18, le=120)
    income: float = Field(gt=0)
    loan_amount: float = Field(gt=0)
    employment_years: float = Field(ge=0)
    debt_to_income: float = Field(ge=0)
    txn_count: float = Field(ge=0)
    amount_mean: float = Field(ge=0)
    amount_std: float = Field(ge=0)
    amount_max: float = Field(ge=0)
    late_share: float = Field(ge=0, le=1)
    mean_gap_days: float = Field(ge=0)
    max_spend_30d: float = Field(ge=0)
    n_categories: float = Field(ge=0)


class Score(BaseModel):
    """The answer: probability of default and the decision at ``threshold``."""

    default_probability: float
    decision: str
    model_version: str


def create_app(scorer_path: Path, model_version: str, threshold: float = 0.5) -> FastAPI:
    """Build the app from the ``linear_scorer.json`` artifact logged at training time.

    Args:
        scorer_path: The JSON file (download it from the MLflow run's artifacts).
        model_version: Registry version it came from, echoed in every answer.
        threshold: Probability above which the decision is ``review``.

    Returns:
        An app with ``POST /score`` and ``GET /health``.

    """
    scorer = LinearScorer.from_dict(json.loads(Path(scorer_path).read_text()))
    app = FastAPI(title="loan-default scorer", version=model_version)

    @app.get("/health")
    def health() -> dict[str, str]:
        return {"status": "ok", "model_version": model_version}

    @app.post("/score")
    def score(applicant: Applicant) -> Score:
        probability = scorer.probability(applicant.model_dump())
        decision = "review" if probability >= threshold else "approve"
        return Score(
            default_probability=probability, decision=decision, model_version=model_version
        )

    return app
