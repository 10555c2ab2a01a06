"""Each phase page shows its notebooks' measured smoke run times and its labs' points."""

from __future__ import annotations

import json
import re
from pathlib import Path

RUNTIMES = Path("curriculum") / "smoke-runtimes.json"


def _executed_notebooks(root: Path) -> set[str]:
    return {
        path.relative_to(root).as_posix()
        for folder in ("notebooks", "solutions")
        for path in (root / folder).rglob("*.ipynb")
        if ".ipynb_checkpoints" not in path.parts
    }


def test_has_every_notebook_a_measured_smoke_runtime(course_root: Path) -> None:
    """Is every notebook and lab master's smoke run time recorded, with no stale entries?"""
    recorded = json.loads((course_root / RUNTIMES).read_text())
    notebooks = _executed_notebooks(course_root)
    missing = sorted(notebooks - set(recorded))
    stale = sorted(set(recorded) - notebooks)
    assert not missing, f"not measured yet (run `make runtimes`): {missing}"
    assert not stale, f"measured but no longer in the course (run `make runtimes`): {stale}"


def test_does_every_phase_page_list_its_notebooks_and_labs(course_root: Path) -> None:
    """Does each phase index with notebooks or labs carry the {phase-contents} table?"""
    lacking = []
    for index in sorted((course_root / "book").glob("[0-9][0-9]-*/index.md")):
        folder = index.parent.name
        has_content = any(
            any((course_root / kind / folder).glob("*.ipynb"))
            for kind in ("notebooks", "solutions")
        )
        directive = re.compile(r"^```\{phase-contents\} " + re.escape(folder) + r"$", re.M)
        if has_content and not directive.search(index.read_text()):
            lacking.append(str(index.relative_to(course_root)))
    assert not lacking, f"add ```{{phase-contents}} FOLDER``` to: {lacking}"
