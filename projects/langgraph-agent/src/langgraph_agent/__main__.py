"""Command line: ``python -m langgraph_agent --model smollm2 "How many orders are pending?"``."""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import cast

from langgraph_agent import default_toolbox
from langgraph_agent.graph import run_agent
from langgraph_agent.tools import ROLE_TOOLS, Role


def main(argv: Sequence[str] | None = None) -> int:
    """Ask the agent one question and print its answer and audit trail."""
    parser = argparse.ArgumentParser(prog="langgraph_agent", description=__doc__)
    parser.add_argument("question")
    parser.add_argument(
        "--model", default="smollm2", help="smollm2 or a LABKIT_CHAT_MODEL spec (openai:gpt-4o…)"
    )
    parser.add_argument("--role", default="viewer", choices=sorted(ROLE_TOOLS))
    parser.add_argument("--max-steps", type=int, default=5)
    args = parser.parse_args(argv)
    from labkit.models import chat_model
    from labkit.settings import get_settings

    spec = "local:smollm2-135m-instruct" if args.model == "smollm2" else args.model
    model = chat_model(get_settings().model_copy(update={"chat_model": spec}))
    with tempfile.TemporaryDirectory() as folder:
        toolbox = default_toolbox(str(Path(folder) / "shop.db"))
        run = run_agent(
            args.question, model, toolbox, role=cast(Role, args.role), max_steps=args.max_steps
        )
        toolbox.database.close()
    for entry in run.audit:
        print(f"step {entry.step}: {entry.tool}({entry.arguments}) allowed={entry.allowed}")
    print(f"[{run.stop_reason} after {run.steps} steps] {run.answer}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
