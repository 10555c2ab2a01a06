"""Train a pyspark.ml pipeline on a pinned Delta version and register it in MLflow."""

from __future__ import annotations

import json
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import mlflow
import mlflow.spark
from mlflow import MlflowClient
from pyspark.ml import Pipeline, PipelineModel
from pyspark.ml.classification import LogisticRegression, LogisticRegressionModel
from pyspark.ml.evaluation import BinaryClassificationEvaluator
from pyspark.ml.feature import StandardScaler, StandardScalerModel, VectorAssembler
from pyspark.sql import DataFrame, SparkSession

from spark_ml_pipeline.delta import active_files
from spark_ml_pipeline.etl import FEATURE_COLUMNS, LABEL_COLUMN

MODEL_NAME = "loan-default-spark"
PIP_REQUIREMENTS = ["pyspark>=4.0", "mlflow>=3.0"]


@dataclass(frozen=True)
class TrainResult:
    """What one training run produced.

    Attributes:
        model: The fitted Spark pipeline (assembler, scaler, logistic regression).
        run_id: MLflow run id.
        model_version: Registry version of ``MODEL_NAME`` created by this run.
        auc: Area under ROC on the held-out split.
        delta_version: Feature-table version the model was trained on (lineage).
        n_train: Training rows.

    """

    model: PipelineModel
    run_id: str
    model_version: str
    auc: float
    delta_version: int
    n_train: int


def load_features(spark: SparkSession, table_uri: str, version: int | None = None) -> DataFrame:
    """Read one version of the Delta feature table into Spark, through its Parquet files."""
    return spark.read.parquet(*active_files(table_uri, version))


def build_pipeline(reg_param: float = 0.01, max_iter: int = 20) -> Pipeline:
    """Assemble features into a vector, standardise them, fit a logistic regression."""
    return Pipeline(
        stages=[
            VectorAssembler(inputCols=list(FEATURE_COLUMNS), outputCol="raw_features"),
            StandardScaler(inputCol="raw_features", outputCol="features", withMean=True),
            LogisticRegression(
                featuresCol="features",
                labelCol=LABEL_COLUMN,
                regParam=reg_param,
                maxIter=max_iter,
            ),
        ]
    )


def train_and_register(
    spark: SparkSession,
    table_uri: str,
    delta_version: int,
    tracking_uri: str,
    *,
    experiment: str = "spark-ml-pipeline",
    seed: int = 0,
    reg_param: float = 0.01,
) -> TrainResult:
    """Fit on an 80/20 split of a PINNED Delta version, log to MLflow and register a version.

    Pinning the version (time travel) makes the run reproducible: the table can keep
    receiving merges while ``delta_version`` always names the exact training rows.

    Args:
        spark: The session.
        table_uri: Delta feature table.
        delta_version: Version to train on; logged as a param and a tag.
        tracking_uri: MLflow tracking URI (``sqlite:///...`` or ``http://...``).
        experiment: MLflow experiment name.
        seed: Seed of the split.
        reg_param: L2 strength of the logistic regression.

    Returns:
        The fitted model, run id, registered version and held-out AUC.

    """
    data = load_features(spark, table_uri, delta_version).cache()
    train, test = data.randomSplit([0.8, 0.2], seed=seed)
    mlflow.set_tracking_uri(tracking_uri)
    with mlflow.start_run(experiment_id=ensure_experiment(tracking_uri, experiment)) as run:
        model = build_pipeline(reg_param=reg_param).fit(train)
        auc = BinaryClassificationEvaluator(labelCol=LABEL_COLUMN).evaluate(model.transform(test))
        n_train = train.count()
        mlflow.log_params(
            {
                "reg_param": reg_param,
                "delta_version": delta_version,
                "features": len(FEATURE_COLUMNS),
            }
        )
        mlflow.log_metrics({"auc": auc, "n_train": n_train})
        mlflow.set_tags({"delta_table": table_uri, "delta_version": str(delta_version)})
        with tempfile.TemporaryDirectory() as tmp:
            scorer = Path(tmp) / "linear_scorer.json"
            scorer.write_text(json.dumps(export_linear_scorer(model)))
            mlflow.log_artifact(str(scorer))
        with warnings.catch_warnings():
            # mlflow probes pyspark.ml.connect, whose import warns about pandas 3; the
            # model is a classic (non-Connect) pipeline and never touches pandas.
            warnings.filterwarnings("ignore", message="PySpark does not yet fully support")
            info = mlflow.spark.log_model(
                model,
                artifact_path="model",
                registered_model_name=MODEL_NAME,
                pip_requirements=PIP_REQUIREMENTS,
            )
    data.unpersist()
    version = str(info.registered_model_version)
    MlflowClient(tracking_uri).set_registered_model_alias(MODEL_NAME, "champion", version)
    return TrainResult(model, run.info.run_id, version, float(auc), delta_version, n_train)


def ensure_experiment(tracking_uri: str, name: str) -> str:
    """Return the experiment's id, creating it with artifacts next to an sqlite store.

    With an ``sqlite:///`` URI and no artifact location, MLflow writes artifacts to
    ``./mlruns`` in whatever the current directory is; keep them beside the database instead.
    """
    client = MlflowClient(tracking_uri)
    existing = client.get_experiment_by_name(name)
    if existing is not None:
        return str(existing.experiment_id)
    location = None
    if tracking_uri.startswith("sqlite:///"):
        database = Path(tracking_uri.removeprefix("sqlite:///"))
        location = (database.parent / "mlartifacts").resolve().as_uri()
    return str(client.create_experiment(name, artifact_location=location))


def export_linear_scorer(model: PipelineModel) -> dict[str, Any]:
    """Extract what a JVM-free scorer needs: feature order, scaler stats and coefficients.

    A logistic regression after a standard scaler is ``sigmoid(w . (x - mean) / std + b)``;
    the online API evaluates that in NumPy in microseconds instead of starting Spark.
    """
    scaler = model.stages[1]
    lr = model.stages[2]
    if not isinstance(scaler, StandardScalerModel) or not isinstance(lr, LogisticRegressionModel):
        raise TypeError("expected stages [VectorAssembler, StandardScalerModel, LR model]")
    return {
        "features": list(FEATURE_COLUMNS),
        "mean": [float(v) for v in scaler.mean.toArray()],
        "std": [float(v) for v in scaler.std.toArray()],
        "coefficients": [float(v) for v in lr.coefficients.toArray()],
        "intercept": float(lr.intercept),
    }
