"""Batch scoring into a Delta table, and a JVM-free scorer for single requests."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
from deltalake import DeltaTable, write_deltalake
from pyspark.ml import PipelineModel
from pyspark.ml.functions import vector_to_array
from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from spark_ml_pipeline.delta import parquet_to_arrow


def batch_score(
    model: PipelineModel,
    features: DataFrame,
    predictions_uri: str,
    staging_dir: Path | str,
    model_version: str,
) -> int:
    """Score every row with the Spark model and APPEND the predictions to a Delta table.

    Spark writes Parquet to ``staging_dir``; delta-rs commits those rows atomically, so a
    reader sees the whole batch or none of it.

    Args:
        model: The fitted pipeline.
        features: Rows with the feature columns and ``applicant_id``.
        predictions_uri: Delta table of predictions (created on the first call).
        staging_dir: Scratch folder for Spark's Parquet output.
        model_version: Registry version, stored on every row for lineage.

    Returns:
        The predictions table's new version.

    """
    scored_at = datetime.now(UTC).replace(microsecond=0)
    predictions = model.transform(features).select(
        "applicant_id",
        vector_to_array("probability")[1].alias("default_probability"),
        F.col("prediction").cast("int").alias("predicted_default"),
        F.lit(model_version).alias("model_version"),
        F.lit(scored_at.isoformat()).alias("scored_at"),
    )
    predictions.coalesce(1).write.mode("overwrite").parquet(str(staging_dir))
    write_deltalake(predictions_uri, parquet_to_arrow(staging_dir), mode="append")
    return int(DeltaTable(predictions_uri).version())


@dataclass(frozen=True)
class LinearScorer:
    """A standard scaler plus logistic regression, evaluated in plain Python.

    Built from :func:`spark_ml_pipeline.train.export_linear_scorer`; it gives the same
    probabilities as the Spark model for one request, without a JVM or a SparkSession.
    """

    features: tuple[str, ...]
    mean: tuple[float, ...]
    std: tuple[float, ...]
    coefficients: tuple[float, ...]
    intercept: float

    @classmethod
    def from_dict(cls, spec: dict[str, Any]) -> LinearScorer:
        """Build from the JSON written at training time."""
        return cls(
            tuple(spec["features"]),
            tuple(spec["mean"]),
            tuple(spec["std"]),
            tuple(spec["coefficients"]),
            float(spec["intercept"]),
        )

    def probability(self, row: dict[str, float]) -> float:
        """Probability of default for one applicant's features.

        Raises:
            ValueError: Naming missing or non-finite features.

        """
        missing = [name for name in self.features if name not in row]
        if missing:
            raise ValueError(f"missing features: {missing}")
        bad = [name for name in self.features if not math.isfinite(float(row[name]))]
        if bad:
            raise ValueError(f"features must be finite numbers: {bad}")
        margin = self.intercept
        for name, mean, std, weight in zip(
            self.features, self.mean, self.std, self.coefficients, strict=True
        ):
            scaled = (float(row[name]) - mean) / std if std > 0 else 0.0
            margin += weight * scaled
        return 1.0 / (1.0 + math.exp(-margin))


def predictions_table(predictions_uri: str) -> pa.Table:
    """Read the latest predictions."""
    return DeltaTable(predictions_uri).to_pyarrow_table()
