"""Notebook steps, small and pure: master to learner lab, and a submission back into the lab."""

from __future__ import annotations

import copy
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbformat import NotebookNode

from labkit.checks import LAB_ID
from labkit.errors import NotebookError

BEGIN = "### BEGIN SOLUTION"
END = "### END SOLUTION"
ROLES = ("instructions", "setup", "answer", "check")
_QUESTION_MARK = re.compile(r"#\s*Q(\d+)\b")
_CHECK_CALL = re.compile(r"\bcheck\.(q\d+|summary)\(")
_DEFINITION = re.compile(r"(\s*)(?:async\s+)?(?:def|class)\s+(\w+)")
# Typed views of nbformat's untyped functions.
_NEW_CELL: dict[str, Callable[..., NotebookNode]] = {
    "code": nbformat.v4.new_code_cell,
    "markdown": nbformat.v4.new_markdown_cell,
    "raw": nbformat.v4.new_raw_cell,
}
_new_notebook: Callable[..., NotebookNode] = nbformat.v4.new_notebook
_reads: Callable[..., NotebookNode] = nbformat.reads
_writes: Callable[..., str] = nbformat.writes
_validate: Callable[[NotebookNode], None] = nbformat.validate


def parse(text: str) -> NotebookNode:
    """Parse and validate notebook JSON as nbformat 4 (older versions are converted)."""
    notebook = _reads(text, as_version=4)
    _validate(notebook)
    return notebook


def answer_question(cell: NotebookNode) -> str | None:
    """Return the question an answer cell answers (``q1``), or None for any other cell.

    A generated lab records it in ``metadata.course``; a master's answer cell (or a
    submission that lost its metadata) names it on its first line: ``# Q1: streaming top-k``.
    """
    course = cell.get("metadata", {}).get("course", {})
    if "role" in course:
        return str(course["question"]) if course["role"] == "answer" else None
    source = str(cell.get("source", ""))
    mark = _QUESTION_MARK.match(source.lstrip().split("\n", 1)[0])
    if cell.get("cell_type") != "code" or mark is None or _CHECK_CALL.search(source):
        return None
    return f"q{mark.group(1)}"


def question_of(cell: NotebookNode) -> str | None:
    """Return the question of an answer or check cell (``q1``); None for other cells."""
    if answered := answer_question(cell):
        return answered
    call = _CHECK_CALL.search(str(cell.get("source", ""))) if cell.cell_type == "code" else None
    return call.group(1) if call and call.group(1) != "summary" else None


def role_of(cell: NotebookNode) -> str:
    """Return the cell's role: as recorded in a lab, else from its content.

    Markdown is ``instructions``; code with a solution region is an ``answer``; code that
    calls ``check.…(`` is a ``check``; any other code is ``setup``.
    """
    recorded = cell.get("metadata", {}).get("course", {}).get("role")
    if recorded in ROLES:
        return str(recorded)
    if cell.cell_type != "code":
        return "instructions"
    if BEGIN in cell.source:
        return "answer"
    return "check" if _CHECK_CALL.search(cell.source) else "setup"


def _enclosing_name(lines: list[str], index: int) -> str:
    """``LRUCache.get`` for a region inside ``get`` of ``class LRUCache``; else what it defines."""
    indent = len(lines[index]) - len(lines[index].lstrip())
    names: list[str] = []
    for line in reversed(lines[:index]):
        match = _DEFINITION.match(line)
        if match and len(match.group(1)) < indent:
            names.insert(0, match.group(2))
            indent = len(match.group(1))
    if names:
        return ".".join(names)
    defined = [m.group(2) for line in lines[index:] if (m := _DEFINITION.match(line))]
    return ", ".join(defined) or "this cell"


def stub_solutions(source: str, question: str) -> str:
    """Replace each solution region with ``raise NotImplementedError("Q1: implement …")``.

    Raises:
        NotebookError: A region is not closed, or is nested in another.

    """
    lines = source.split("\n")
    out: list[str] = []
    begin: int | None = None
    for index, line in enumerate(lines):
        if line.strip() == BEGIN:
            if begin is not None:
                raise NotebookError(f"{question}: {BEGIN} inside another solution region")
            begin = index
            indent = line[: len(line) - len(line.lstrip())]
            name = _enclosing_name(lines, index)
            out.append(f'{indent}raise NotImplementedError("{question.upper()}: implement {name}")')
        elif line.strip() == END:
            if begin is None:
                raise NotebookError(f"{question}: {END} without a {BEGIN}")
            begin = None
        elif begin is None:
            out.append(line)
    if begin is not None:
        raise NotebookError(f"{question}: {BEGIN} on line {begin + 1} is never closed")
    return "\n".join(out)


def cell_id(role: str, question: str | None, index: int) -> str:
    """Return a stable id: ``q1-answer``, ``q1-check``, ``summary``, else ``cell-07``."""
    if question is not None and role in ("answer", "check"):
        return f"{question}-{role}"
    return "summary" if role == "check" else f"cell-{index:02d}"


def learner_cell(cell: NotebookNode, index: int) -> NotebookNode:
    """Return the learner's copy of a master cell: stubbed, no outputs, with id and role."""
    role, question = role_of(cell), question_of(cell)
    if role == "answer" and question is None:
        raise NotebookError(f"answer cell {index} must start with a '# Q1: …' line")
    course = {"role": role, **({"question": question} if question else {})}
    metadata = {k: v for k, v in cell.metadata.items() if k not in ("execution", "course")}
    source = stub_solutions(cell.source, question or "") if role == "answer" else cell.source
    new = _NEW_CELL[cell.cell_type](source, metadata=metadata)
    new.metadata["course"] = course
    new.id = cell_id(role, question, index)
    return new


def validate_master(master: NotebookNode, lab_id: str) -> None:
    """Check what grading relies on: the lab id, and one answer and one check per question.

    Raises:
        NotebookError: Saying which rule the master breaks.

    """
    recorded = master.metadata.get("course", {}).get("lab")
    if recorded != lab_id:
        raise NotebookError(f"metadata.course.lab is {recorded!r}; the file name says {lab_id!r}")
    seen: dict[tuple[str, str], int] = {}
    for cell in master.cells:
        role, question = role_of(cell), question_of(cell)
        if question and role in ("answer", "check"):
            seen[question, role] = seen.get((question, role), 0) + 1
    for question in sorted({q for q, _ in seen}):
        counts = seen.get((question, "answer"), 0), seen.get((question, "check"), 0)
        if counts != (1, 1):
            raise NotebookError(
                f"{lab_id} {question} has {counts[0]} answer and {counts[1]} check cells; "
                "it needs exactly one of each"
            )


def make_lab(master: NotebookNode) -> NotebookNode:
    """Return the learner lab for a master notebook, leaving the master unchanged."""
    lab = _new_notebook(metadata=dict(master.metadata))
    lab.nbformat_minor = 5
    lab.cells = [learner_cell(cell, index) for index, cell in enumerate(master.cells)]
    return lab


def render(notebook: NotebookNode) -> str:
    """Return the notebook's exact file text: nbformat's JSON and a final newline."""
    return _writes(notebook, version=4) + "\n"


def lab_id_of(path: Path) -> str:
    """``lab02`` for ``…/lab02-data-structures.ipynb``.

    Raises:
        NotebookError: The file name does not start with a lab id.

    """
    prefix = path.name.split("-", 1)[0]
    if not LAB_ID.fullmatch(prefix):
        raise NotebookError(f"{path}: a lab's file name starts with its id, e.g. lab02-slug.ipynb")
    return prefix


def generate(master_path: Path) -> str:
    """Return the text of the learner lab that ``master_path`` generates."""
    try:
        master = parse(master_path.read_text(encoding="utf-8"))
    except Exception as error:
        raise NotebookError(f"{master_path}: not a readable notebook ({error})") from error
    validate_master(master, lab_id_of(master_path))
    return render(make_lab(master))


def read_notebook(path: Path) -> NotebookNode:
    """Read a submission as nbformat 4.

    Raises:
        NotebookError: The file is not valid JSON or not a notebook.

    """
    try:
        notebook = parse(path.read_text(encoding="utf-8"))
    except Exception as error:
        reason = " ".join(str(error).split())[:160]
        raise NotebookError(
            f"not a readable notebook ({type(error).__name__}: {reason})"
        ) from error
    return notebook


@dataclass
class Splice:
    """The notebook to run: the pristine lab, up to its last check, with the answer cells."""

    notebook: NotebookNode
    problems: dict[str, tuple[str, str]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def splice(pristine: NotebookNode, submission: NotebookNode, lab_id: str) -> Splice:
    """Put the submission's answer cells, matched by cell id or question, into the pristine lab.

    Raises:
        NotebookError: The submission is of another lab, or has none of this lab's answers.

    """
    recorded = submission.metadata.get("course", {}).get("lab")
    if recorded not in (None, lab_id):
        raise NotebookError(f"this is a notebook of {recorded}, not {lab_id}")
    answers = {
        cell.id: answer_question(cell) for cell in pristine.cells if role_of(cell) == "answer"
    }
    found: dict[str | None, list[NotebookNode]] = {}
    for cell in submission.cells:
        question = answers.get(cell.get("id")) or answer_question(cell)
        found.setdefault(question if question in answers.values() else None, []).append(cell)
    if recorded is None and not any(q in found for q in answers.values()):
        raise NotebookError(f"none of {lab_id}'s answer cells ({', '.join(answers)}) are in it")
    result = Splice(copy.deepcopy(pristine))
    graded = [i for i, cell in enumerate(pristine.cells) if question_of(cell) is not None]
    del result.notebook.cells[max(graded) + 1 :]  # later cells cannot change a grade
    for cell in result.notebook.cells:
        question = answers.get(cell.id)
        if question is None:
            continue
        mine = found.get(question, [])
        if len(mine) == 1:
            cell.source = mine[0].source
        elif not mine:
            result.problems[question] = (
                "missing",
                f"answer cell {cell.id} was deleted; copy it back from the lab and resubmit",
            )
        else:
            result.problems[question] = (
                "error",
                f"answer cell {cell.id} appears {len(mine)} times; keep exactly one",
            )
    order = [answer_question(c) or answers.get(c.get("id")) for c in submission.cells]
    order = [q for q in order if q in answers.values()]
    if order != sorted(order, key=list(answers.values()).index):
        result.notes.append("answer cells were reordered; they were graded in the lab's order")
    by_id = {cell.get("id"): cell for cell in submission.cells}
    for cell in pristine.cells:
        if role_of(cell) == "check" and cell.id in by_id and by_id[cell.id].source != cell.source:
            result.notes.append(f"check cell {cell.id} was edited; the original check was used")
    known = {cell.id for cell in pristine.cells}
    added = [c for c in found.get(None, []) if c.cell_type == "code" and c.get("id") not in known]
    if added:
        result.notes.append(
            f"{len(added)} code cell(s) you added were ignored: only answer cells are graded"
        )
    return result


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file, so no reader sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def assign_all(root: Path, *, check: bool) -> int:
    """Regenerate every lab under ``labs/`` from its master under ``solutions/``.

    Args:
        root: The course root.
        check: Write nothing; report the labs that differ from what their masters generate.

    Returns:
        0, or 1 when ``check`` finds a lab that is stale, missing or has no master.

    """
    masters = sorted((root / "solutions").glob("*/lab*.ipynb"))
    expected = {root / "labs" / m.relative_to(root / "solutions"): m for m in masters}
    problems = [
        f"{lab.relative_to(root)} has no master in solutions/"
        for lab in sorted((root / "labs").glob("*/lab*.ipynb"))
        if lab not in expected
    ]
    for lab_path, master_path in expected.items():
        text = generate(master_path)
        current = lab_path.read_text(encoding="utf-8") if lab_path.exists() else None
        if current == text:
            continue
        if check:
            problems.append(f"{lab_path.relative_to(root)} differs from what its master generates")
        else:
            write_atomic(lab_path, text)
            print(f"wrote {lab_path.relative_to(root)}")
    for problem in problems:
        print(problem)
    if check and problems:
        print("run `labkit assign` (or `make labs`) to regenerate the labs")
        return 1
    return 0
