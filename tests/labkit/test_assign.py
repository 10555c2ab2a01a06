"""Tests for labkit.assign: each step from master to lab, and splicing submissions back."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path

import nbformat.v4
import pytest
from nbformat import NotebookNode

from labkit.assign import (
    answer_question,
    assign_all,
    cell_id,
    learner_cell,
    make_lab,
    question_of,
    read_notebook,
    render,
    role_of,
    splice,
    stub_solutions,
    validate_master,
)
from labkit.errors import NotebookError

# Typed views of nbformat's untyped helpers.
new_code_cell: Callable[..., NotebookNode] = nbformat.v4.new_code_cell
new_markdown_cell: Callable[..., NotebookNode] = nbformat.v4.new_markdown_cell
new_notebook: Callable[..., NotebookNode] = nbformat.v4.new_notebook
new_output: Callable[..., NotebookNode] = nbformat.v4.new_output

ANSWER = """# Q1: streaming top-k
def top_k(stream, k):
    \"\"\"Doc.\"\"\"
    ### BEGIN SOLUTION
    return sorted(stream)[-k:]
    ### END SOLUTION"""


def master() -> NotebookNode:
    notebook = new_notebook(
        cells=[
            new_markdown_cell("# Lab 99"),
            new_code_cell("from labkit.checks import lab99 as check"),
            new_code_cell(ANSWER, outputs=[new_output("stream", text="x")], execution_count=3),
            new_code_cell("check.q1(top_k)"),
            new_code_cell("check.summary()"),
        ],
        metadata={"course": {"lab": "lab99"}},
    )
    return notebook


def test_does_a_function_region_become_a_stub_naming_the_question() -> None:
    assert stub_solutions(ANSWER, "q1").splitlines()[-1] == (
        '    raise NotImplementedError("Q1: implement top_k")'
    )


def test_does_a_method_region_name_its_class_and_method() -> None:
    source = (
        "class LRUCache:\n    def get(self, key):\n        ### BEGIN SOLUTION\n        pass\n"
        "        ### END SOLUTION"
    )
    assert stub_solutions(source, "q2").splitlines()[-1] == (
        '        raise NotImplementedError("Q2: implement LRUCache.get")'
    )


def test_does_a_top_level_region_name_what_it_defines() -> None:
    source = "### BEGIN SOLUTION\ndef f():\n    pass\nclass G:\n    pass\n### END SOLUTION"
    assert stub_solutions(source, "q3") == 'raise NotImplementedError("Q3: implement f, G")'


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("### BEGIN SOLUTION\nx = 1", "never closed"),
        ("### END SOLUTION", "without a"),
        ("### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION", "inside another"),
    ],
)
def test_does_a_broken_region_get_a_clear_error(source: str, message: str) -> None:
    with pytest.raises(NotebookError, match=message):
        stub_solutions(source, "q1")


def test_are_roles_and_questions_read_from_the_master() -> None:
    cells = master().cells
    assert [role_of(cell) for cell in cells] == [
        "instructions",
        "setup",
        "answer",
        "check",
        "check",
    ]
    assert [question_of(cell) for cell in cells] == [None, None, "q1", "q1", None]
    assert [cell_id(role_of(c), question_of(c), i) for i, c in enumerate(cells)] == [
        "cell-00",
        "cell-01",
        "q1-answer",
        "q1-check",
        "summary",
    ]


def test_does_the_learner_cell_lose_outputs_and_gain_id_and_role() -> None:
    cell = learner_cell(master().cells[2], 2)
    assert (cell.id, cell.outputs, cell.execution_count) == ("q1-answer", [], None)
    assert cell.metadata["course"] == {"role": "answer", "question": "q1"}
    assert answer_question(cell) == "q1"


def test_does_make_lab_leave_the_master_unchanged_and_render_the_same_bytes() -> None:
    original = master()
    before = copy.deepcopy(original)
    first, second = render(make_lab(original)), render(make_lab(original))
    assert original == before
    assert first == second
    assert json.loads(first)["nbformat_minor"] == 5


def test_does_validation_reject_a_master_of_another_lab_or_without_a_check() -> None:
    with pytest.raises(NotebookError, match="file name says 'lab98'"):
        validate_master(master(), "lab98")
    broken = master()
    del broken.cells[3]
    with pytest.raises(NotebookError, match="1 answer and 0 check cells"):
        validate_master(broken, "lab99")


def write_master(root: Path) -> Path:
    path = root / "solutions" / "09-test" / "lab99-sample.ipynb"
    path.parent.mkdir(parents=True)
    path.write_text(render(master()))
    return path


def test_does_assign_all_write_labs_and_then_find_them_in_sync(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_master(tmp_path)
    assert assign_all(tmp_path, check=False) == 0
    lab = tmp_path / "labs" / "09-test" / "lab99-sample.ipynb"
    assert "NotImplementedError" in lab.read_text()
    assert assign_all(tmp_path, check=True) == 0


def test_does_check_mode_list_stale_and_orphaned_labs_without_writing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_master(tmp_path)
    assign_all(tmp_path, check=False)
    lab = tmp_path / "labs" / "09-test" / "lab99-sample.ipynb"
    lab.write_text(lab.read_text().replace("Lab 99", "Lab 98"))
    (tmp_path / "labs" / "09-test" / "lab97-orphan.ipynb").write_text("{}")
    capsys.readouterr()
    assert assign_all(tmp_path, check=True) == 1
    out = capsys.readouterr().out
    assert "labs/09-test/lab99-sample.ipynb differs from what its master generates" in out
    assert "labs/09-test/lab97-orphan.ipynb has no master in solutions/" in out
    assert "Lab 98" in lab.read_text()


def lab_and_submission() -> tuple[NotebookNode, NotebookNode]:
    lab = make_lab(master())
    submission = copy.deepcopy(lab)
    submission.cells[2].source = "# Q1: mine\ndef top_k(stream, k):\n    return []"
    return lab, submission


def test_does_splice_take_the_answer_cells_and_nothing_else() -> None:
    lab, submission = lab_and_submission()
    submission.cells[3].source = "pass"
    submission.cells.insert(1, new_code_cell("helper = 1"))
    spliced = splice(lab, submission, "lab99")
    assert spliced.notebook.cells[2].source.endswith("return []")
    assert spliced.notebook.cells[3].source == "check.q1(top_k)"
    assert spliced.notes == [
        "check cell q1-check was edited; the original check was used",
        "1 code cell(s) you added were ignored: only answer cells are graded",
    ]


def test_is_a_deleted_answer_missing_and_a_duplicated_one_an_error() -> None:
    lab, submission = lab_and_submission()
    deleted = copy.deepcopy(submission)
    del deleted.cells[2]
    deleted.cells.append(new_code_cell("# Q2: not ours\nx = 1"))
    assert splice(lab, deleted, "lab99").problems["q1"][0] == "missing"
    duplicated = copy.deepcopy(submission)
    twin = copy.deepcopy(duplicated.cells[2])
    twin.id = "copied"
    duplicated.cells.insert(3, twin)
    assert splice(lab, duplicated, "lab99").problems["q1"] == (
        "error",
        "answer cell q1-answer appears 2 times; keep exactly one",
    )


def test_does_a_submission_without_ids_or_metadata_still_match_by_its_q_line() -> None:
    lab, submission = lab_and_submission()
    for cell in submission.cells:
        cell.pop("id")
        cell.metadata = {}
    submission.metadata = {}
    assert splice(lab, submission, "lab99").notebook.cells[2].source.endswith("return []")


def test_is_a_notebook_of_another_lab_rejected() -> None:
    lab, submission = lab_and_submission()
    submission.metadata["course"]["lab"] = "lab03"
    with pytest.raises(NotebookError, match="notebook of lab03, not lab99"):
        splice(lab, submission, "lab99")
    with pytest.raises(NotebookError, match="none of lab99's answer cells"):
        splice(lab, new_notebook(cells=[new_code_cell("x = 1")]), "lab99")


def test_is_invalid_json_reported_as_not_a_notebook(tmp_path: Path) -> None:
    path = tmp_path / "broken.ipynb"
    path.write_text("{not json")
    with pytest.raises(NotebookError, match="not a readable notebook"):
        read_notebook(path)
