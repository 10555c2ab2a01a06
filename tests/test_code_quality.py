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
