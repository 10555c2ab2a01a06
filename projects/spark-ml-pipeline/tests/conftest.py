"""One local SparkSession and one small pipeline run, shared by every test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pyspark.sql import SparkSession

from spark_ml_pipeline.pipeline import PipelineRun, run_pipeline
from spark_ml_pipeline.session import make_spark

TEST_ROWS = 20_000


@pytest.fixture(scope="session")
def spark() -> Iterator[SparkSession]:
    session = make_spark("local[2]", app_name="spark-ml-pipeline-tests")
    yield session
    session.stop()


@pytest.fixture(scope="session")
def pipeline_run(spark: SparkSession, tmp_path_factory: pytest.TempPathFactory) -> PipelineRun:
    workdir: Path = tmp_path_factory.mktemp("pipeline")
    return run_pipeline(spark, workdir, TEST_ROWS, tracking_uri=f"sqlite:///{workdir}/mlflow.db")
