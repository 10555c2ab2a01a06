"""Command line: ``python -m spark_ml_pipeline run|generate|etl``; also a spark-submit entry."""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from spark_ml_pipeline import data, etl
from spark_ml_pipeline.pipeline import default_rows, run_pipeline
from spark_ml_pipeline.session import make_spark


def main(argv: list[str] | None = None) -> int:
    """Parse ``argv`` and run one command; returns the exit code."""
    parser = argparse.ArgumentParser(prog="spark-ml-pipeline", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="the whole pipeline locally, with timings")
    run.add_argument("--workdir", type=Path, required=True)
    run.add_argument("--rows", type=int, default=None, help="transactions (default: env/2 M)")
    gen = sub.add_parser("generate", help="write raw Parquet only")
    gen.add_argument("--out", type=Path, required=True)
    gen.add_argument("--rows", type=int, default=None)
    gen.add_argument("--drift", type=float, default=0.0)
    gen.add_argument("--seed", type=int, default=0)
    job = sub.add_parser("etl", help="DQ gate + features: the step you spark-submit")
    job.add_argument("--raw", required=True, help="folder or s3a:// / abfss:// URI")
    job.add_argument("--out", required=True, help="where to write the feature Parquet")
    job.add_argument("--files", type=int, default=8, help="output files")
    args = parser.parse_args(argv)

    if args.command == "generate":
        made = data.generate(
            args.out, args.rows or default_rows(), seed=args.seed, drift=args.drift
        )
        print(json.dumps({"applicants": made.n_applicants, "transactions": made.n_transactions}))
        return 0
    started = time.perf_counter()
    spark = make_spark()
    start_seconds = time.perf_counter() - started
    try:
        if args.command == "etl":
            transactions, applicants = etl.read_raw(spark, args.raw)
            etl.check_quality(transactions, applicants)
            etl.write_features(etl.build_features(transactions, applicants), args.out, args.files)
            print(f"features written to {args.out}")
            return 0
        result = run_pipeline(spark, args.workdir, args.rows or default_rows())
        summary = {
            "rows": result.raw.n_transactions,
            "auc": round(result.trained.auc, 3),
            "model_version": result.trained.model_version,
            "mlflow_run_id": result.trained.run_id,
            "delta_versions": [result.initial_version, result.merged_version],
            "drift_alert_same": result.drift_same.alert,
            "drift_alert_drifted": result.drift_shifted.alert,
            "timings_s": {
                "SparkSession start": round(start_seconds, 2),
                **{k: round(v, 2) for k, v in result.timings.items()},
            },
        }
        print(json.dumps(summary, indent=2))
        return 0
    except etl.DataQualityError as error:
        print(error)
        return 2
    finally:
        spark.stop()


if __name__ == "__main__":
    raise SystemExit(main())
