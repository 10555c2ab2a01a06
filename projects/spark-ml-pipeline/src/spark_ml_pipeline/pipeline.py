"""The whole job, step by step, with a stopwatch on each step."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.dataset as ds
from pyspark.sql import SparkSession
from pyspark.sql import functions as F

from spark_ml_pipeline import data, delta, etl
from spark_ml_pipeline.drift import DriftReport, drift_report
from spark_ml_pipeline.score import batch_score
from spark_ml_pipeline.session import stopwatch
from spark_ml_pipeline.train import TrainResult, train_and_register

FULL_ROWS = 2_000_000
SMOKE_ROWS = 100_000


def default_rows() -> int:
    """Transactions to generate: ``SPARK_ML_ROWS``, else 100 k when smoke, else 2 M."""
    if "SPARK_ML_ROWS" in os.environ:
        return int(os.environ["SPARK_ML_ROWS"])
    smoke = os.environ.get("LABKIT_SMOKE", "").lower() in {"1", "true", "yes"}
    return SMOKE_ROWS if smoke else FULL_ROWS


def tracking_uri_for(workdir: Path) -> str:
    """``MLFLOW_TRACKING_URI`` if set, else an sqlite file inside ``workdir``."""
    return os.environ.get("MLFLOW_TRACKING_URI") or f"sqlite:///{Path(workdir).resolve()}/mlflow.db"


@dataclass
class PipelineRun:
    """What :func:`run_pipeline` produced, and how long each step took (seconds)."""

    raw: data.GeneratedData
    features_uri: str
    predictions_uri: str
    initial_version: int
    merged_version: int
    merge_metrics: dict[str, int]
    trained: TrainResult
    predictions_version: int
    drift_same: DriftReport
    drift_shifted: DriftReport
    timings: dict[str, float] = field(default_factory=dict)


def features_for(spark: SparkSession, raw_dirs: Sequence[Path], out_dir: Path) -> pa.Table:
    """Gate and featurise several raw batches in ONE Spark pass; return the features.

    One pass instead of one per batch matters: on a small cluster or a laptop each Spark job
    has a fixed cost of a second or more, whatever its size.
    """
    transactions, applicants = etl.read_raw(spark, *raw_dirs)
    etl.check_quality(transactions, applicants)
    etl.write_features(etl.build_features(transactions, applicants), out_dir)
    return delta.parquet_to_arrow(out_dir)


def ids_between(table: pa.Table, first_id: int, n_ids: int) -> pa.Table:
    """Rows whose ``applicant_id`` is in ``[first_id, first_id + n_ids)``."""
    ids = ds.field("applicant_id")
    return table.filter((ids >= first_id) & (ids < first_id + n_ids))


@dataclass(frozen=True)
class NextDay:
    """The second day's landing zone: late applications and two new batches, featurised."""

    late: pa.Table
    same: pa.Table
    drifted: pa.Table
    features_dir: Path
    drifted_first_id: int


def next_day(spark: SparkSession, workdir: Path, n_transactions: int, seed: int) -> NextDay:
    """Generate day two (late + same-population + drifted batches) and featurise it once.

    The late batch re-uses the last 1 % of day one's applicant ids (re-submitted
    applications, to be MERGEd) and adds new ones; the two new batches get id ranges of
    their own, so one Spark pass can build all three and Arrow splits them afterwards.
    """
    n_applicants = n_transactions // data.TXNS_PER_APPLICANT
    late_first = n_applicants - max(n_applicants // 100, 2)
    late_rows = max(n_transactions // 20, data.TXNS_PER_APPLICANT * 4)
    batch_rows = max(n_transactions // 5, data.TXNS_PER_APPLICANT * 50)
    batches = {
        "late": (late_first, late_rows, 0.0),
        "same": (10 * n_applicants, batch_rows, 0.0),
        "drifted": (20 * n_applicants, batch_rows, 1.0),
    }
    for offset, (name, (first_id, rows, drift)) in enumerate(batches.items(), start=1):
        data.generate(
            workdir / "day2" / name,
            rows,
            seed=seed + offset,
            drift=drift,
            first_applicant_id=first_id,
        )
    features = features_for(
        spark, [workdir / "day2" / name for name in batches], workdir / "features_day2"
    )
    split = {
        name: ids_between(features, first_id, rows // data.TXNS_PER_APPLICANT)
        for name, (first_id, rows, _) in batches.items()
    }
    return NextDay(
        split["late"],
        split["same"],
        split["drifted"],
        workdir / "features_day2",
        batches["drifted"][0],
    )


def run_pipeline(
    spark: SparkSession,
    workdir: Path,
    n_transactions: int,
    *,
    tracking_uri: str | None = None,
    seed: int = 0,
) -> PipelineRun:
    """Generate, gate, featurise, version in Delta, merge late data, train, score, monitor.

    Args:
        spark: The session (``local[2]`` here, a cluster under ``spark-submit``).
        workdir: Local folder for every artefact (raw Parquet, Delta tables, MLflow db).
        n_transactions: Size of the training batch; the other batches are 5-20 % of it.
        tracking_uri: MLflow tracking URI; defaults to :func:`tracking_uri_for`.
        seed: Seed of every generator.

    Returns:
        Versions, metrics, drift reports and per-step timings.

    """
    workdir = Path(workdir)
    timings: dict[str, float] = {}
    with stopwatch(timings, "generate raw Parquet"):
        raw = data.generate(workdir / "raw", n_transactions, seed=seed)
    transactions, applicants = etl.read_raw(spark, raw.applicants_path.parent)
    with stopwatch(timings, "data-quality gate (Spark)"):
        etl.check_quality(transactions, applicants)
    with stopwatch(timings, "feature ETL (Spark)"):
        etl.write_features(etl.build_features(transactions, applicants), workdir / "features")
    features_uri = str(workdir / "delta" / "features")
    with stopwatch(timings, "Delta write v0 (delta-rs)"):
        initial = delta.write_snapshot(
            features_uri, delta.parquet_to_arrow(workdir / "features"), "initial load"
        )
    with stopwatch(timings, "day-2 ETL (late + same + drifted, one pass)"):
        day2 = next_day(spark, workdir, n_transactions, seed)
    with stopwatch(timings, "Delta MERGE of late data"):
        merge_metrics = delta.upsert(features_uri, day2.late)
        merged = delta.latest_version(features_uri)
    with stopwatch(timings, "train + MLflow register"):
        trained = train_and_register(
            spark, features_uri, merged, tracking_uri or tracking_uri_for(workdir), seed=seed
        )
    predictions_uri = str(workdir / "delta" / "predictions")
    with stopwatch(timings, "batch scoring -> Delta"):
        predictions_version = batch_score(
            trained.model,
            spark.read.parquet(str(day2.features_dir)).where(
                F.col("applicant_id") >= day2.drifted_first_id
            ),
            predictions_uri,
            workdir / "predictions_staging",
            trained.model_version,
        )
    with stopwatch(timings, "drift report (PSI + KS)"):
        reference = delta.read_version(features_uri, merged)
        same = drift_report(reference, day2.same, etl.FEATURE_COLUMNS)
        shifted = drift_report(reference, day2.drifted, etl.FEATURE_COLUMNS)
    return PipelineRun(
        raw,
        features_uri,
        predictions_uri,
        initial,
        merged,
        {k: int(v) for k, v in merge_metrics.items() if isinstance(v, int)},
        trained,
        predictions_version,
        same,
        shifted,
        timings,
    )
