"""The Spark job end to end on small data: DQ gate, Delta lineage, MLflow, scoring, drift."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pyarrow as pa
import pytest
from fastapi.testclient import TestClient
from mlflow import MlflowClient
from pyspark.ml.functions import vector_to_array
from pyspark.sql import SparkSession

from spark_ml_pipeline import delta, etl
from spark_ml_pipeline.api import create_app
from spark_ml_pipeline.pipeline import PipelineRun
from spark_ml_pipeline.score import LinearScorer, predictions_table
from spark_ml_pipeline.train import MODEL_NAME, export_linear_scorer, load_features


def test_does_the_quality_gate_name_every_broken_rule(spark: SparkSession) -> None:
    transactions = spark.createDataFrame(
        [(1, 10, datetime(2025, 1, 2, tzinfo=UTC), 5.0), (2, 10, None, -3.0),
         (2, 99, datetime(2025, 1, 3, tzinfo=UTC), 7.0)],
        "txn_id long, applicant_id long, ts timestamp, amount double",
    )  # fmt: skip
    applicants = spark.createDataFrame(
        [(10, 50_000.0, 9_000.0, 0)],
        "applicant_id long, income double, loan_amount double, defaulted int",
    )
    with pytest.raises(etl.DataQualityError) as caught:
        etl.check_quality(transactions, applicants)
    message = str(caught.value)
    assert "failed on 4 rule(s); nothing was written" in message
    assert "txn ts is not null: 1 rows (e.g. ids [2])" in message
    assert "txn amount is > 0 and not null: 1 rows" in message
    assert "txn_id is unique: 1 rows (e.g. ids [2])" in message
    assert "txn applicant_id exists in applicants: 1 rows (e.g. ids [2])" in message


def test_are_features_built_only_from_history_before_the_application(
    spark: SparkSession,
) -> None:
    transactions = spark.createDataFrame(
        [(1, 7, datetime(2025, 1, 1, tzinfo=UTC), 10.0, "rent", False),
         (2, 7, datetime(2025, 1, 11, tzinfo=UTC), 30.0, "rent", True),
         (3, 7, datetime(2025, 3, 1, tzinfo=UTC), 999.0, "travel", True)],
        "txn_id long, applicant_id long, ts timestamp, amount double, category string, "
        "is_late_payment boolean",
    )  # fmt: skip
    applicants = spark.createDataFrame(
        [(7, datetime(2025, 2, 1).date(), 30, 1000.0, 500.0, 2.0, "north", 0),
         (8, datetime(2025, 2, 1).date(), 40, 2000.0, 500.0, 5.0, "south", 1)],
        "applicant_id long, application_date date, age int, income double, "
        "loan_amount double, employment_years double, region string, defaulted int",
    )  # fmt: skip
    rows = {r.applicant_id: r for r in etl.build_features(transactions, applicants).collect()}
    assert rows[7].txn_count == 2, "the March transaction is after the application"
    assert rows[7].amount_max == 30.0
    assert rows[7].late_share == 0.5
    assert rows[7].mean_gap_days == 10.0
    assert rows[7].max_spend_30d == 40.0
    assert rows[7].debt_to_income == 0.5
    assert rows[8].txn_count == 0, "an applicant without history is kept with zeros"


def test_does_the_merge_create_a_new_version_and_keep_the_old_one(
    pipeline_run: PipelineRun,
) -> None:
    assert (pipeline_run.initial_version, pipeline_run.merged_version) == (0, 1)
    metrics = pipeline_run.merge_metrics
    assert metrics["num_target_rows_updated"] == 10
    assert metrics["num_target_rows_inserted"] == 40
    initial = delta.read_version(pipeline_run.features_uri, 0).num_rows
    merged = delta.read_version(pipeline_run.features_uri, 1).num_rows
    assert (initial, merged) == (1_000, 1_040)


def test_is_the_model_registered_with_its_delta_version(pipeline_run: PipelineRun) -> None:
    trained = pipeline_run.trained
    assert trained.auc > 0.6, f"held-out AUC {trained.auc:.3f}"
    client = MlflowClient(pipeline_run_tracking_uri(pipeline_run))
    version = client.get_model_version_by_alias(MODEL_NAME, "champion")
    assert str(version.version) == trained.model_version
    run = client.get_run(trained.run_id)
    assert run.data.params["delta_version"] == str(pipeline_run.merged_version)
    assert "linear_scorer.json" in [a.path for a in client.list_artifacts(trained.run_id)]
    workdir = pipeline_run.features_uri.rsplit("/delta/", 1)[0]
    assert run.info.artifact_uri.startswith(f"file://{workdir}/mlartifacts/"), (
        "artifacts must sit beside the sqlite store, not in ./mlruns"
    )


def pipeline_run_tracking_uri(run: PipelineRun) -> str:
    return f"sqlite:///{run.features_uri.rsplit('/delta/', 1)[0]}/mlflow.db"


def test_are_predictions_appended_to_a_delta_table(pipeline_run: PipelineRun) -> None:
    predictions = predictions_table(pipeline_run.predictions_uri)
    assert predictions.num_rows == 200
    probabilities = predictions.column("default_probability").to_pylist()
    assert all(0.0 <= p <= 1.0 for p in probabilities)
    assert set(predictions.column("model_version").to_pylist()) == {
        pipeline_run.trained.model_version
    }


def test_does_drift_fire_on_the_drifted_batch_and_not_on_the_same_one(
    pipeline_run: PipelineRun,
) -> None:
    assert not pipeline_run.drift_same.alert, pipeline_run.drift_same.message()
    assert pipeline_run.drift_shifted.alert
    assert "late_share" in pipeline_run.drift_shifted.drifted_features


def test_does_the_plain_python_scorer_match_spark(
    spark: SparkSession, pipeline_run: PipelineRun
) -> None:
    model = pipeline_run.trained.model
    scorer = LinearScorer.from_dict(export_linear_scorer(model))
    sample = load_features(spark, pipeline_run.features_uri).limit(20)
    scored = model.transform(sample).withColumn("p", vector_to_array("probability")[1])
    for row in scored.collect():
        features = {name: row[name] for name in etl.FEATURE_COLUMNS}
        assert scorer.probability(features) == pytest.approx(row.p, abs=1e-9)


def test_does_the_api_score_one_applicant_and_reject_bad_input(
    pipeline_run: PipelineRun, tmp_path_factory: pytest.TempPathFactory
) -> None:
    path = tmp_path_factory.mktemp("api") / "linear_scorer.json"
    path.write_text(json.dumps(export_linear_scorer(pipeline_run.trained.model)))
    client = TestClient(create_app(path, pipeline_run.trained.model_version))
    row = delta.read_version(pipeline_run.features_uri).slice(0, 1).to_pylist()[0]
    body = {name: row[name] for name in etl.FEATURE_COLUMNS}
    answer = client.post("/score", json=body)
    assert answer.status_code == 200
    assert 0.0 < answer.json()["default_probability"] < 1.0
    assert client.post("/score", json={**body, "income": -1}).status_code == 422
    assert client.post("/score", json={"age": 30}).status_code == 422


def test_is_time_travel_data_the_same_table_spark_reads(
    spark: SparkSession, pipeline_run: PipelineRun
) -> None:
    via_spark = load_features(spark, pipeline_run.features_uri, 0).count()
    via_arrow: pa.Table = delta.read_version(pipeline_run.features_uri, 0)
    assert via_spark == via_arrow.num_rows
