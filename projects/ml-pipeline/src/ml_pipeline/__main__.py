"""Command line: ``python -m ml_pipeline --data loans.csv --out runs/latest --seed 0``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ml_pipeline.pipeline import Config, run


def main(argv: list[str] | None = None) -> int:
    """Train, evaluate and report once; print where the report is. Returns the exit code."""
    parser = argparse.ArgumentParser(description="Train, evaluate and write a report.")
    parser.add_argument("--data", type=Path, required=True, help="CSV with features and label")
    parser.add_argument("--out", type=Path, default=Path("runs/latest"), help="output folder")
    parser.add_argument("--seed", type=int, default=0, help="seed for the split and the model")
    parser.add_argument("--max-iter", type=int, default=150, help="boosting iterations")
    args = parser.parse_args(argv)
    try:
        result = run(args.data, args.out, Config(seed=args.seed, max_iter=args.max_iter))
    except (FileNotFoundError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"ROC AUC {result.metrics['global']['roc_auc']:.3f}; report: {args.out / 'report.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
