"""Grade lab submissions with nbval, one sandboxed pytest run each, into a gradebook."""

from __future__ import annotations

import csv
import io
import json
import re
import sys
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from nbformat import NotebookNode

from labkit import checks
from labkit.assign import (
    generate,
    lab_id_of,
    parse,
    read_notebook,
    role_of,
    splice,
    write_atomic,
)
from labkit.checks._guard import forbidden_uses
from labkit.errors import GradingError, NotebookError
from labkit.sandbox import (
    CELL_TIMEOUT,
    MEMORY_LIMIT,
    network_prefix,
    protections,
    run_sandboxed,
)

STATUSES = ("passed", "failed", "error", "timeout", "missing")
COLUMNS = ("submission", "lab", "question", "points", "max_points", "status", "message")


_HEADER = re.compile(
    r"AssertionError: (?P<label>\S+) [^\n]*?: \d+/(?P<ran_cases>\d+) (?:local )?cases passed "
    r"\((?P<points>\d+)/(?P<ran>\d+) pts\)"
)
_ERROR_LINE = re.compile(r"^(?:E\s+)?([A-Za-z_][\w.]*(?:Error|Exception|Interrupt|Exit)\b.*)$")


def _last_error(text: str) -> str:
    """Return the last ``SomeError: message`` line of a traceback, cut to a readable length."""
    errors = [m.group(1) for line in text.splitlines() if (m := _ERROR_LINE.match(line.strip()))]
    message = errors[-1] if errors else "an error without a traceback"
    if "MemoryError" in message:
        message += f" (a submission may use at most {MEMORY_LIMIT // 2**30} GiB)"
    return message[:300]


@dataclass(frozen=True)
class Verdict:
    """How one question went: its status, points and message, and the check's feedback."""

    status: str
    points: int
    message: str
    feedback: str = ""


def judge(
    question: checks.Question,
    check: dict[str, str] | None,
    answer: dict[str, str] | None,
    kernel_end: str,
) -> Verdict:
    """Turn the nbval outcomes of a question's check and answer cells into a verdict.

    Points come only from the pristine check cell, judged by nbval outside the kernel: full
    marks when it passed; when it failed, the points in its own ``AssertionError`` header.

    Args:
        question: The question, whose cases give the maximum points.
        check: The check cell's logged outcome; None if it never finished.
        answer: The answer cell's logged outcome.
        kernel_end: Why the kernel died and in which cell, if it did.

    """
    if check is None:
        if kernel_end:
            return Verdict("error", 0, f"the kernel crashed ({kernel_end})")
        return Verdict("timeout", 0, "the submission's time limit ran out before this check")
    if check["outcome"] == "passed":
        return Verdict("passed", question.max_points, f"all {len(question.cases)} cases passed")
    text = check["text"]
    header = next((m for m in _HEADER.finditer(text) if m["label"] == question.label), None)
    if header and int(header["ran"]) == question.max_points > int(header["points"]):
        feedback = text[header.start() + len("AssertionError: ") :].strip()
        failures = [line.strip()[2:] for line in feedback.splitlines() if line.startswith("  ✗")]
        status = "timeout" if any("did not return within" in f for f in failures) else "failed"
        message = f"{len(failures)} of {header['ran_cases']} cases failed; first: {failures[0]}"
        return Verdict(status, int(header["points"]), message, feedback)
    if "Kernel dead" in text:
        return Verdict("error", 0, f"not run: the kernel had died ({kernel_end or 'stopped'})")
    for cell, outcome in (("answer", answer), ("check", check)):
        if outcome is not None and outcome["outcome"] != "passed":
            if "Timeout of" in outcome["text"]:
                return Verdict("timeout", 0, f"the {cell} cell ran past its time limit")
            return Verdict("error", 0, f"the {cell} cell raised {_last_error(outcome['text'])}")
    return Verdict("error", 0, "the check cell failed without a traceback")  # pragma: no cover


@dataclass
class Graded:
    """One submission's result, stored as ``results/<submission>.json`` so reruns skip it."""

    submission: str
    lab: str
    rows: list[dict[str, Any]]
    notes: list[str]
    feedback: dict[str, str]

    def markdown(self) -> str:
        """Render the learner's feedback page."""
        earned, total = (sum(row[key] for row in self.rows) for key in ("points", "max_points"))
        lines = [f"# {self.lab} feedback for {self.submission}", "", f"**{earned}/{total} pts**"]
        lines += ["", *(f"- {note}" for note in self.notes)] if self.notes else []
        for row in self.rows:
            lines += [
                "",
                f"## {row['question']}: {row['status']}, {row['points']}/{row['max_points']} pts",
                "",
                row["message"],
            ]
            if row["question"] in self.feedback:
                lines += ["", "```text", self.feedback[row["question"]], "```"]
        return "\n".join(lines) + "\n"


def grade_submission(
    path: Path,
    name: str,
    lab: checks.Lab,
    pristine: NotebookNode,
    prefix: list[str],
    *,
    timeout: float,
) -> Graded:
    """Grade one submission; every problem becomes a status on its rows, never an exception."""

    def rows(verdicts: dict[str, Verdict]) -> list[dict[str, Any]]:
        return [
            {
                "submission": name,
                "lab": lab.lab_id,
                "question": q.name,
                "points": verdicts[q.name].points,
                "max_points": q.max_points,
                "status": verdicts[q.name].status,
                "message": verdicts[q.name].message,
            }
            for q in lab.questions
        ]

    names = [q.name for q in lab.questions]
    try:
        spliced = splice(pristine, read_notebook(path), lab.lab_id)
    except NotebookError as error:
        verdict = Verdict("error", 0, f"{error}; nothing was graded")
        return Graded(name, lab.lab_id, rows(dict.fromkeys(names, verdict)), [], {})
    findings = [
        f"{cell.metadata['course']['question']} uses {', '.join(found)}"
        for cell in spliced.notebook.cells
        if role_of(cell) == "answer" and (found := forbidden_uses(cell.source))
    ]
    if findings:
        message = "; ".join(findings) + ": graded answers may not touch checks or exit the kernel"
        verdict = Verdict("error", 0, message)
        return Graded(name, lab.lab_id, rows(dict.fromkeys(names, verdict)), spliced.notes, {})
    run = run_sandboxed(
        spliced.notebook, prefix, timeout=timeout, cell_timeout=min(CELL_TIMEOUT, timeout)
    )
    ids = [cell.id for cell in spliced.notebook.cells if cell.cell_type == "code"]
    unfinished = [cell_id for index, cell_id in enumerate(ids) if index not in run.outcomes]
    kernel_end = (
        f"{run.kernel_exit} in cell {unfinished[0]}" if run.kernel_exit and unfinished else ""
    )
    verdicts = {}
    for q in lab.questions:
        check, answer = (
            run.outcomes.get(ids.index(f"{q.name}-{role}")) for role in ("check", "answer")
        )
        verdict = judge(q, check, answer, kernel_end)
        if q.name in spliced.problems:
            status, message = spliced.problems[q.name]
            verdict = Verdict(status, 0, message, verdict.feedback)
        verdicts[q.name] = verdict
    feedback = {q: v.feedback for q, v in verdicts.items() if v.feedback}
    return Graded(name, lab.lab_id, rows(verdicts), spliced.notes, feedback)


def collect_submissions(paths: list[Path]) -> dict[str, Path]:
    """Map a unique submission name (the file stem) to each ``.ipynb`` under ``paths``.

    Raises:
        GradingError: No notebook was found.

    """
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += [
                f for f in sorted(path.rglob("*.ipynb")) if ".ipynb_checkpoints" not in f.parts
            ]
        elif path.is_file():
            files.append(path)
        else:
            print(f"labkit grade: skipping {path}: no such file or folder", file=sys.stderr)
    if not files:
        raise GradingError(f"no .ipynb submissions found in {', '.join(map(str, paths))}")
    return {_unique_name(f, files): f for f in dict.fromkeys(f.resolve() for f in files)}


def _unique_name(file: Path, files: list[Path]) -> str:
    """Return the file's stem, prefixed with as many parent folders as make it unique."""
    keys = [f.resolve().with_suffix("").parts for f in files]
    mine = file.resolve().with_suffix("").parts
    for depth in range(1, len(mine)):
        if sum(key[-depth:] == mine[-depth:] for key in keys) == 1:
            return "__".join(mine[-depth:])
    return "__".join(mine[1:])


def find_master(root: Path, lab: str) -> Path:
    """Return the master notebook of a lab, given its id or its path under ``root``.

    Raises:
        GradingError: No single master matches.

    """
    if lab.endswith(".ipynb"):
        masters = [root / lab] if (root / lab).is_file() else []
    else:
        masters = sorted((root / "solutions").glob(f"*/{lab}-*.ipynb"))
    if len(masters) != 1:
        raise GradingError(f"unknown lab {lab}: no single master in {root / 'solutions'}")
    return masters[0]


def write_gradebook(out: Path, lab: checks.Lab, prefix: list[str]) -> None:
    """Rebuild ``gradebook.csv`` and ``summary.json`` from every stored result of the lab."""
    stored = [json.loads(path.read_text()) for path in sorted((out / "results").glob("*.json"))]
    rows = [row for result in stored if result["lab"] == lab.lab_id for row in result["rows"]]
    table = io.StringIO()
    writer = csv.DictWriter(table, COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    write_atomic(out / "gradebook.csv", table.getvalue())
    points: Counter[str] = Counter()
    for row in rows:
        points[row["submission"]] += row["points"]
    summary = {
        "lab": lab.lab_id,
        "max_points": sum(q.max_points for q in lab.questions),
        "points": dict(sorted(points.items())),
        "statuses": {status: sum(row["status"] == status for row in rows) for status in STATUSES},
        "protections": protections(prefix),
    }
    write_atomic(out / "summary.json", json.dumps(summary, indent=2) + "\n")


def grade_cli(
    lab_id: str, paths: list[Path], *, out: Path, jobs: int, timeout: float, root: Path, force: bool
) -> int:
    """Grade every submission under ``paths`` into ``out``: the ``labkit grade`` command.

    Args:
        lab_id: ``lab02``, or the path of the lab's master under ``root``.
        paths: Submitted notebooks, or folders searched for them.
        out: Where ``gradebook.csv``, ``summary.json`` and ``feedback/`` go.
        jobs: Submissions graded at once.
        timeout: Seconds allowed per submission; one cell gets at most ``CELL_TIMEOUT``.
        root: The course root.
        force: Regrade submissions that already have a result in ``out``.

    Returns:
        0 once every submission is graded, however the students did.

    Raises:
        GradingError: Grading cannot run: an unknown lab, or no readable input.

    """
    master = find_master(root, lab_id)
    lab = checks.load(lab_id_of(master))
    pristine = parse(generate(master))
    submissions = collect_submissions(paths)
    done = {name for name in submissions if (out / "results" / f"{name}.json").exists()}
    todo = sorted(set(submissions) - (set() if force else done))
    print(f"grading {len(todo)} of {len(submissions)} {lab.lab_id} submissions into {out}")
    prefix = network_prefix()

    def grade_one(name: str) -> None:
        graded = grade_submission(submissions[name], name, lab, pristine, prefix, timeout=timeout)
        write_atomic(out / "feedback" / f"{name}.md", graded.markdown())
        write_atomic(out / "results" / f"{name}.json", json.dumps(asdict(graded), indent=1))
        earned, total = (sum(row[key] for row in graded.rows) for key in ("points", "max_points"))
        print(f"  {name}: {earned}/{total} pts")

    pool = ThreadPoolExecutor(max_workers=max(1, jobs))
    try:
        list(pool.map(grade_one, todo))
    finally:  # on Ctrl-C, finish the submissions in flight and start no more
        pool.shutdown(cancel_futures=True)
    write_gradebook(out, lab, prefix)
    return 0
