"""The ticket router as an MLflow pyfunc: TF-IDF + logistic regression, label and confidence."""

from __future__ import annotations

from typing import Any

import mlflow
import pandas as pd
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline


def build_pipeline(c: float, max_features: int, seed: int) -> Pipeline:
    """Return an untrained TF-IDF + logistic-regression pipeline.

    Args:
        c: Inverse regularisation strength of the logistic regression.
        max_features: Vocabulary size kept by TF-IDF; tiny values make a deliberately weak model.
        seed: Seed of the solver, for byte-identical reruns.

    """
    return make_pipeline(
        TfidfVectorizer(ngram_range=(1, 2), max_features=max_features, sublinear_tf=True),
        LogisticRegression(C=c, max_iter=500, random_state=seed),
    )


class TicketRouter(mlflow.pyfunc.PythonModel):  # type: ignore[misc]
    """A pyfunc that maps a DataFrame with a ``text`` column to ``label`` and ``confidence``.

    Example:
        >>> router = TicketRouter(build_pipeline(1.0, 500, 0).fit(["a b", "c d"], ["x", "y"]))
        >>> router.predict(None, pd.DataFrame({"text": ["a b"]}))["label"].tolist()
        ['x']

    """

    def __init__(self, pipeline: Pipeline) -> None:
        self.pipeline = pipeline

    def predict(
        self, context: Any, model_input: pd.DataFrame, params: dict[str, Any] | None = None
    ) -> pd.DataFrame:
        """Return one row per input text: the predicted label and its probability."""
        if "text" not in model_input.columns:
            raise ValueError(f"expected a 'text' column, got {list(model_input.columns)}")
        probabilities = self.pipeline.predict_proba(model_input["text"].astype(str))
        classes = self.pipeline.classes_
        return pd.DataFrame(
            {
                "label": classes[probabilities.argmax(axis=1)],
                "confidence": probabilities.max(axis=1),
            }
        )
