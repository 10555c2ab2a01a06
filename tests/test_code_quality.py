"""The course's own code passes the linters it teaches: ruff (lint + format) and mypy --strict."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
PYTHON_PATHS = ["labkit", "tests", "tools", "book/_ext", "conftest.py"]


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *args], capture_output=True, text=True, cwd=cwd, timeout=600
    )


def test_is_the_code_ruff_clean(course_root: Path) -> None:
    """Does `ruff check` find nothing in labkit, the tests and the tools?"""
    result = _run("ruff", "check", *PYTHON_PATHS, cwd=course_root)
    assert result.returncode == 0, result.stdout + result.stderr


def test_is_the_code_ruff_formatted(course_root: Path) -> None:
    """Is every file formatted the way `ruff format` would write it?"""
    result = _run("ruff", "format", "--check", *PYTHON_PATHS, cwd=course_root)
    assert result.returncode == 0, result.stdout + result.stderr


def test_does_labkit_pass_mypy_strict(course_root: Path) -> None:
    """Does labkit type-check under mypy --strict (configured in pyproject.toml)?"""
    result = _run("mypy", "--no-incremental", cwd=course_root)
    assert result.returncode == 0, result.stdout + result.stderr


def _workflows(root: Path) -> list[Path]:
    """Every GitHub Actions workflow the course ships: deploy/ci and each capstone's .github."""
    found = [*root.glob("deploy/ci/github-actions.yml")]
    found += root.glob("projects/*/.github/workflows/*.yml")
    return sorted(found)


def _actionlint(*paths: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    binary = Path(sys.executable).with_name("actionlint")
    return subprocess.run(
        [str(binary), "-no-color", *map(str, paths)],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
    )


def test_do_the_github_workflows_pass_actionlint(course_root: Path) -> None:
    """Does actionlint find nothing in any workflow (expressions, runner labels, old actions)?"""
    workflows = _workflows(course_root)
    assert len(workflows) >= 2, workflows
    result = _actionlint(*workflows, cwd=course_root)
    assert result.returncode == 0, result.stdout + result.stderr


def test_would_actionlint_catch_a_broken_workflow(tmp_path: Path) -> None:
    """Is the gate able to fail: does a typo in an expression make actionlint exit non-zero?"""
    broken = tmp_path / "broken.yml"
    broken.write_text(
        "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n"
        "    steps:\n      - run: echo ${{ github.evnt }}\n"
    )
    result = _actionlint(broken, cwd=tmp_path)
    assert result.returncode == 1
    assert 'property "evnt" is not defined' in result.stdout
