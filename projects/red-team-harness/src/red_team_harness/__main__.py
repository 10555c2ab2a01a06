"""Command line: ``python -m red_team_harness --model fake-obedient --out report/``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from labkit.llm import ChatModel

from red_team_harness.battery import load_battery
from red_team_harness.doubles import cautious_model, obedient_model
from red_team_harness.pipeline import DefendedPipeline, UndefendedPipeline
from red_team_harness.report import write_report
from red_team_harness.runner import run_battery, summarise

MODEL_HELP = (
    "fake-obedient | fake-cautious (test doubles, instant) | smollm2 (local, offline) | any "
    "LABKIT_CHAT_MODEL spec such as openai:gpt-4o-mini or anthropic:claude-3-5-haiku-latest"
)


def build_model(name: str) -> ChatModel:
    """Turn the ``--model`` value into a ``ChatModel``.

    Raises:
        ValueError: The name is neither a test double, ``smollm2`` nor a ``kind:name`` spec.

    """
    if name == "fake-obedient":
        return obedient_model()
    if name == "fake-cautious":
        return cautious_model()
    from labkit.models import chat_model
    from labkit.settings import get_settings

    if name == "smollm2":
        return chat_model(
            get_settings().model_copy(update={"chat_model": "local:smollm2-135m-instruct"})
        )
    if ":" in name:
        return chat_model(get_settings().model_copy(update={"chat_model": name}))
    raise ValueError(f"--model {name!r} is not one of: {MODEL_HELP}")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the battery against the undefended and the defended pipeline; write the report."""
    parser = argparse.ArgumentParser(prog="red_team_harness", description=__doc__)
    parser.add_argument("--model", default="fake-obedient", help=MODEL_HELP)
    parser.add_argument("--out", default="report", help="folder for report.md/.html/.jsonl")
    parser.add_argument("--battery", default=None, help="a .yaml or .jsonl battery file")
    parser.add_argument("--smoke", action="store_true", help="only the cases marked smoke")
    parser.add_argument("--max-tokens", type=int, default=96, help="answer length limit")
    args = parser.parse_args(argv)
    try:
        model = build_model(args.model)
        attacks = load_battery(args.battery)
    except (ValueError, OSError) as error:
        parser.error(str(error))
    if args.smoke:
        attacks = [a for a in attacks if a.smoke]
    summaries, results = [], []
    for pipeline in (
        UndefendedPipeline(model, max_tokens=args.max_tokens),
        DefendedPipeline(model, max_tokens=args.max_tokens),
    ):
        pipeline_results = run_battery(pipeline, attacks)
        summaries.append(summarise(pipeline_results, model=model.model))
        results.extend(pipeline_results)
    for path in write_report(args.out, summaries, results):
        print(path)
    for summary in summaries:
        print(
            f"{summary.pipeline}: ASR {summary.asr:.0%}, "
            f"false refusals {summary.false_refusal_rate:.0%}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
