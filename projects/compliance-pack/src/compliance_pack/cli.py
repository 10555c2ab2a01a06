"""``compliance-pack dpia system.yaml --out DIR``: write the DPIA-lite and the diagram."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from compliance_pack.dfd import data_flow_diagram
from compliance_pack.dpia import dpia_markdown, findings
from compliance_pack.system import SystemDescriptionError, load_system


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; return 1 on a bad description, 2 when high findings remain (for CI)."""
    parser = argparse.ArgumentParser(prog="compliance-pack")
    commands = parser.add_subparsers(dest="command", required=True)
    dpia = commands.add_parser("dpia", help="write dpia.md and dfd.mmd from a system YAML")
    dpia.add_argument("system", type=Path)
    dpia.add_argument("--out", type=Path, default=Path("compliance-out"))
    dpia.add_argument("--fail-on-high", action="store_true", help="exit 2 on high findings")
    serve = commands.add_parser("serve", help="run the redaction service")
    serve.add_argument("--port", type=int, default=8000)
    args = parser.parse_args(argv)
    if args.command == "serve":
        import uvicorn

        from compliance_pack.app import create_app

        uvicorn.run(create_app(), host="0.0.0.0", port=args.port)  # noqa: S104 - in a container
        return 0
    try:
        system = load_system(args.system)
    except (OSError, SystemDescriptionError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "dpia.md").write_text(dpia_markdown(system))
    (args.out / "dfd.mmd").write_text(data_flow_diagram(system))
    high = [finding for finding in findings(system) if finding.severity == "high"]
    print(f"wrote {args.out}/dpia.md and dfd.mmd: {len(high)} high finding(s)")
    return 2 if high and args.fail_on_high else 0


if __name__ == "__main__":
    raise SystemExit(main())
