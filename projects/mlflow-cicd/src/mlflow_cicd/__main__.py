"""Command line: ``python -m mlflow_cicd release|rollback|serve``; exit 3 when the gate blocks."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

import mlflow
from mlflow import MlflowClient

from mlflow_cicd.gate import DEFAULT_GATES, promote_if_passes, rollback
from mlflow_cicd.pipeline import TrainParams, load_tickets, train_and_register

BLOCKED = 3


def main(argv: list[str] | None = None) -> int:
    """Run one command; return the process exit code."""
    parser = argparse.ArgumentParser(prog="mlflow-cicd", description=__doc__)
    parser.add_argument("--model-name", default=os.environ.get("MODEL_NAME", "ticket-router"))
    commands = parser.add_subparsers(dest="command", required=True)
    release = commands.add_parser("release", help="train, register, gate and promote")
    release.add_argument("--data", type=Path, required=True)
    release.add_argument("--limit", type=int, default=None, help="use the first N tickets")
    release.add_argument("--c", type=float, default=TrainParams.c)
    release.add_argument("--max-features", type=int, default=TrainParams.max_features)
    release.add_argument("--approved-by", default=os.environ.get("GITHUB_ACTOR", "local"))
    commands.add_parser("rollback", help="point champion back at the previous version")
    serve = commands.add_parser("serve", help="serve models:/<name>@champion over HTTP")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    args = parser.parse_args(argv)
    client = MlflowClient()
    try:
        if args.command == "release":
            tickets = load_tickets(args.data, args.limit)
            params = TrainParams(c=args.c, max_features=args.max_features)
            result = train_and_register(
                tickets, params, model_name=args.model_name, experiment=args.model_name
            )
            decision = promote_if_passes(
                client, args.model_name, result.version, DEFAULT_GATES, args.approved_by
            )
            print(json.dumps({**result.metrics, **decision.__dict__}, indent=2))
            return 0 if decision.promoted else BLOCKED
        if args.command == "rollback":
            print(json.dumps({"champion": rollback(client, args.model_name)}))
            return 0
    except (LookupError, ValueError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    import uvicorn

    from mlflow_cicd.serve import ChampionHolder, create_app

    print(f"serving models:/{args.model_name}@champion from {mlflow.get_tracking_uri()}")
    uvicorn.run(create_app(ChampionHolder(client, args.model_name)), host=args.host, port=args.port)
    return 0


if __name__ == "__main__":
    sys.exit(main())
