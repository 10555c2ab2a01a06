"""Tests for labkit.grade: every kind of bad submission, resuming, exit codes, the sandbox."""

from __future__ import annotations

import copy
import csv
import json
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from nbformat import NotebookNode

from labkit import grade
from labkit.assign import answer_question, parse, render
from labkit.checks import lab02
from labkit.cli import main

ROOT = Path(__file__).resolve().parents[2]
LAB = ROOT / "labs" / "00-python" / "lab02-data-structures.ipynb"
MASTER = ROOT / "solutions" / "00-python" / "lab02-data-structures.ipynb"
LIST_CACHE = """# Q2: an LRU cache that scans a list
class LRUCache:
    def __init__(self, capacity):
        self.capacity, self.keys, self.values = capacity, [], {}

    def get(self, key, default=None):
        if key not in self.values:
            return default
        self.keys.remove(key)
        self.keys.append(key)
        return self.values[key]

    def put(self, key, value):
        if key in self.values:
            self.keys.remove(key)
        self.keys.append(key)
        self.values[key] = value
        if len(self.keys) > self.capacity:
            del self.values[self.keys.pop(0)]

    def __len__(self):
        return len(self.values)
"""


def solutions() -> dict[str, str]:
    master = parse(MASTER.read_text())
    return {q: cell.source for cell in master.cells if (q := answer_question(cell))}


def learner(edit: Callable[[NotebookNode, dict[str, NotebookNode]], None]) -> NotebookNode:
    """The generated lab, solved from the master, then changed by ``edit``."""
    notebook = parse(LAB.read_text())
    answers = {
        cell.metadata["course"]["question"]: cell
        for cell in notebook.cells
        if cell.metadata["course"]["role"] == "answer"
    }
    for question, source in solutions().items():
        answers[question].source = source
    edit(notebook, answers)
    return notebook


def prepend(question: str, code: str) -> Callable[[NotebookNode, dict[str, NotebookNode]], None]:
    def edit(notebook: NotebookNode, answers: dict[str, NotebookNode]) -> None:
        answers[question].source = code + answers[question].source

    return edit


def make_submissions(folder: Path, escape_to: Path) -> dict[str, list[str]]:
    """Write one submission of each kind into ``folder``; return each one's expected statuses."""
    lab = parse(LAB.read_text())

    def blank(notebook: NotebookNode, answers: dict[str, NotebookNode]) -> None:
        for cell in answers.values():
            cell.source = next(c.source for c in lab.cells if c.get("id") == cell.id)

    def partial(notebook: NotebookNode, answers: dict[str, NotebookNode]) -> None:
        blank(notebook, answers)
        answers["q1"].source, answers["q2"].source = solutions()["q1"], LIST_CACHE

    def tampered(notebook: NotebookNode, answers: dict[str, NotebookNode]) -> None:
        blank(notebook, answers)
        for cell in notebook.cells:
            if cell.metadata["course"]["role"] == "check":
                cell.source = "print('all passed')"

    def other_lab(notebook: NotebookNode, answers: dict[str, NotebookNode]) -> None:
        notebook.metadata["course"]["lab"] = "lab03"

    def restructured(notebook: NotebookNode, answers: dict[str, NotebookNode]) -> None:
        twin = copy.deepcopy(answers["q1"])
        twin.id = "my-copy"
        notebook.cells.insert(notebook.cells.index(answers["q1"]), twin)
        notebook.cells.remove(answers["q2"])
        notebook.cells.remove(answers["q3"])
        notebook.cells.insert(0, answers["q3"])

    def hostile(notebook: NotebookNode, answers: dict[str, NotebookNode]) -> None:
        prepend("q1", f"open({str(escape_to)!r}, 'w').write('x')\n")(notebook, answers)
        prepend("q2", "hog = bytearray(8 * 2**30)\n")(notebook, answers)
        prepend("q3", "for _ in range(100_000):\n    print('flood ' * 50)\n")(notebook, answers)

    def endless(notebook: NotebookNode, answers: dict[str, NotebookNode]) -> None:
        answers["q1"].source = "# Q1\ndef top_k(stream, k):\n    while True:\n        pass\n"
        answers["q2"].source = "# Q2\nwhile True:\n    pass\n" + answers["q2"].source

    kinds: dict[str, tuple[Callable[..., None], list[str]]] = {
        "correct": (lambda notebook, answers: None, ["passed", "passed", "passed"]),
        "blank": (blank, ["failed", "failed", "failed"]),
        "partial": (partial, ["passed", "failed", "failed"]),
        "tampered": (tampered, ["failed", "failed", "failed"]),
        "monkeypatch": (prepend("q1", "check.q2 = lambda *answers: None\n"), ["error"] * 3),
        "exits": (prepend("q3", "import sys\nsys.exit(0)\n"), ["error"] * 3),
        "other_lab": (other_lab, ["error"] * 3),
        "restructured": (restructured, ["error", "missing", "passed"]),
        "endless": (endless, ["timeout", "timeout", "passed"]),
        "hostile": (hostile, ["error", "error", "passed"]),
        "crash": (prepend("q2", "import os\nos.abort()\n"), ["passed", "error", "error"]),
    }
    folder.mkdir(parents=True, exist_ok=True)
    for name, (edit, _) in kinds.items():
        (folder / f"{name}.ipynb").write_text(render(learner(edit)))
    (folder / "corrupt.ipynb").write_text('{"cells": [ this is not json')
    return {"corrupt": ["error"] * 3, **{name: statuses for name, (_, statuses) in kinds.items()}}


def read_gradebook(out: Path) -> dict[str, list[dict[str, str]]]:
    rows: dict[str, list[dict[str, str]]] = {}
    with open(out / "gradebook.csv", newline="") as table:
        for row in csv.DictReader(table):
            rows.setdefault(row["submission"], []).append(row)
    return rows


@pytest.mark.slow
def test_does_each_bad_submission_get_its_own_exact_status_while_the_batch_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(grade, "CELL_TIMEOUT", 12.0)
    escape_to = tmp_path / "escaped.txt"
    expected = make_submissions(tmp_path / "in", escape_to)
    out = tmp_path / "out"
    code = grade.grade_cli(
        "lab02", [tmp_path / "in"], out=out, jobs=2, timeout=60, root=ROOT, force=False
    )
    assert code == 0
    rows = read_gradebook(out)
    assert {name: [row["status"] for row in rows[name]] for name in rows} == expected
    message = {(name, row["question"]): row["message"] for name in rows for row in rows[name]}
    assert message["corrupt", "q1"].startswith("not a readable notebook (")
    assert (
        message["other_lab", "q1"] == "this is a notebook of lab03, not lab02; nothing was graded"
    )
    assert message["monkeypatch", "q2"].startswith("q1 uses check (line 1)")
    assert message["exits", "q1"].startswith("q3 uses .exit (line 2)")
    assert (
        message["restructured", "q1"] == "answer cell q1-answer appears 2 times; keep exactly one"
    )
    assert message["restructured", "q2"].startswith("answer cell q2-answer was deleted")
    assert message["endless", "q1"].startswith(
        "7 of 7 cases failed; first: returns the k largest, largest first: did not return within"
    )
    assert message["endless", "q2"] == "the answer cell ran past its time limit"
    assert "MemoryError" in message["hostile", "q2"]
    assert message["crash", "q2"] == "the kernel crashed (killed by SIGABRT in cell q2-answer)"
    assert "may write only inside its working directory" in message["hostile", "q1"]
    assert not escape_to.exists()
    points = {name: sum(int(row["points"]) for row in rows[name]) for name in rows}
    assert points["correct"] == 18
    assert points["partial"] == 7 + 5
    tampered = (out / "feedback" / "tampered.md").read_text()
    assert "- check cell q1-check was edited; the original check was used" in tampered
    restructured = (out / "feedback" / "restructured.md").read_text()
    assert "- answer cells were reordered; they were graded in the lab's order" in restructured
    summary = json.loads((out / "summary.json").read_text())
    assert summary["max_points"] == 18
    assert summary["points"]["correct"] == 18


@pytest.mark.slow
def test_does_a_run_killed_halfway_resume_where_it_stopped(tmp_path: Path) -> None:
    make_submissions(tmp_path / "all", tmp_path / "escaped.txt")
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("correct", "blank"):
        (tmp_path / "all" / f"{name}.ipynb").rename(folder / f"{name}.ipynb")
    out = tmp_path / "out"
    command = [
        sys.executable,
        "-m",
        "labkit.cli",
        "grade",
        "lab02",
        str(folder),
        "--out",
        str(out),
        "--root",
        str(ROOT),
    ]
    first = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    while not list((out / "results").glob("*.json")):
        assert first.poll() is None, "the first run ended before it could be killed"
        time.sleep(0.2)
    first.send_signal(signal.SIGKILL)
    first.wait()
    graded_before = len(list((out / "results").glob("*.json")))
    second = subprocess.run(command, capture_output=True, text=True, check=True)
    assert f"grading {2 - graded_before} of 2 lab02 submissions" in second.stdout
    assert set(read_gradebook(out)) == {"correct", "blank"}


def test_does_an_unknown_lab_exit_non_zero_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["grade", "lab99", str(tmp_path), "--out", str(tmp_path / "out"), "--root", str(ROOT)]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith("labkit grade: unknown lab lab99: ") and err.count("\n") == 1


def test_does_grading_without_readable_input_exit_non_zero(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["grade", "lab02", str(tmp_path), "--out", str(tmp_path / "out"), "--root", str(ROOT)]
    assert main(args) == 2
    assert "no .ipynb submissions found" in capsys.readouterr().err


def outcome(text: str) -> dict[str, str]:
    return {"outcome": "failed", "text": text}


def test_are_points_taken_only_from_a_header_that_matches_the_question() -> None:
    real = "AssertionError: lab02.q1 top_k: 5/7 cases passed (5/7 pts)\n  ✗ a: b"
    assert grade.judge(lab02.q1, outcome(real), None, "").points == 5
    for forged in (
        "AssertionError: lab02.q1 top_k: 7/7 cases passed (7/7 pts)",  # failed yet full marks
        "AssertionError: lab02.q1 top_k: 9/9 cases passed (8/9 pts)",  # wrong maximum
        "AssertionError: lab02.q2 LRUCache: 5/6 cases passed (5/6 pts)",  # another question
        "ValueError: lab02.q1 top_k: 6/7 cases passed (6/7 pts)",  # not the check's exception
    ):
        verdict = grade.judge(lab02.q1, outcome(forged), None, "")
        assert (verdict.status, verdict.points) == ("error", 0)


def test_does_the_kernel_guard_block_writes_outside_and_new_processes(tmp_path: Path) -> None:
    script = (
        "import os, subprocess, sys\n"
        "from labkit.sandbox import _guard_kernel\n"
        f"_guard_kernel({str(tmp_path / 'work')!r})\n"
        f"open({str(tmp_path / 'work' / 'ok.txt')!r}, 'w').write('fine')\n"
        "for attempt in (lambda: open('../outside.txt', 'w'), lambda: os.remove('../x'),\n"
        "                lambda: subprocess.run(['true']), lambda: os.kill(1, 0)):\n"
        "    try:\n"
        "        attempt()\n"
        "    except PermissionError as error:\n"
        "        print(error)\n"
    )
    (tmp_path / "work").mkdir()
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=tmp_path / "work",
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.splitlines() == [
        "graded code may write only inside its working directory, not ../outside.txt",
        "graded code may write only inside its working directory, not ../x",
        "graded code may not use subprocess.Popen",
        "graded code may not use os.kill",
    ]
    assert (tmp_path / "work" / "ok.txt").exists()
