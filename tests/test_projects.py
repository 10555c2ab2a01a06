"""Every capstone in projects/ is a real repository: its own tests, linters and types pass."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[1]
PROJECTS = sorted(p.parent for p in (ROOT / "projects").glob("*/pyproject.toml"))
GATES = {
    "pytest": ["pytest", "-q", "-p", "no:cacheprovider"],
    "ruff check": ["ruff", "check", "."],
    "ruff format": ["ruff", "format", "--check", "."],
    "mypy": ["mypy"],
}


@pytest.mark.parametrize("gate", list(GATES))
@pytest.mark.parametrize("project", PROJECTS, ids=[p.name for p in PROJECTS])
def test_does_the_capstone_pass_its_own_gate(project: Path, gate: str) -> None:
    """Does the capstone pass its own tests, ruff and mypy, run from its own folder?"""
    env = {**os.environ, "CI": "true", "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    args = GATES[gate]
    if gate == "pytest":
        args = [*args, "-p", "_hypothesis_pytestplugin"]
    result = subprocess.run(
        [sys.executable, "-m", *args],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, (
        f"{gate} failed in {project.name}:\n{result.stdout}{result.stderr}"
    )
