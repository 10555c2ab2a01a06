"""The ``labkit`` command line: ``labkit doctor | assign | grade``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from labkit.errors import LabkitError


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="labkit", description="Tools for the AI Engineer course: doctor, assign, grade."
    )
    sub = parser.add_subparsers(dest="command", required=True)

    doctor = sub.add_parser("doctor", help="check this machine: Python, torch, models, services")
    doctor.add_argument("--bench", action="store_true", help="also measure model speed")

    assign = sub.add_parser("assign", help="generate learner labs from their masters")
    assign.add_argument("--root", type=Path, default=Path("."), help="course root")
    assign.add_argument(
        "--check", action="store_true", help="only report labs that differ; exit 1 if any"
    )

    grade = sub.add_parser("grade", help="grade submissions of one lab with nbval")
    grade.add_argument("lab_id", help="e.g. lab00, or the path solutions/00-python/lab00-*.ipynb")
    grade.add_argument("paths", nargs="+", type=Path, help="submitted .ipynb files or folders")
    grade.add_argument("--out", type=Path, required=True, help="folder for the gradebook")
    grade.add_argument("--jobs", type=int, default=1, help="submissions graded at once")
    grade.add_argument(
        "--timeout", type=float, default=300.0, help="seconds allowed per submission"
    )
    grade.add_argument("--root", type=Path, default=Path("."), help="course root")
    grade.add_argument("--force", action="store_true", help="regrade finished submissions")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    args = _parser().parse_args(argv)
    try:
        if args.command == "doctor":
            from labkit.doctor import run_doctor

            return run_doctor(bench=args.bench)
        if args.command == "assign":
            from labkit.assign import assign_all

            return assign_all(args.root, check=args.check)
        if args.command == "grade":
            from labkit.grade import grade_cli

            return grade_cli(
                args.lab_id,
                args.paths,
                out=args.out,
                jobs=args.jobs,
                timeout=args.timeout,
                root=args.root,
                force=args.force,
            )
    except LabkitError as error:
        print(f"labkit {args.command}: {error}", file=sys.stderr)
        return 2
    return 2  # pragma: no cover - argparse rejects unknown commands


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
