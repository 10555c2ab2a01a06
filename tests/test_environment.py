"""One source of truth for the environment: pyproject ranges, the lock, and environment.yml."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from importlib.metadata import version
from pathlib import Path

import yaml
from packaging.requirements import Requirement

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
from sync_environment import NO_DEPS, read_lock


def test_does_environment_yml_name_the_locks_packages_and_versions(course_root: Path) -> None:
    """Does the conda route install exactly the lock's versions (bar the --no-deps model)?"""
    env = yaml.safe_load((course_root / "environment.yml").read_text())
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    conda_pins = dict(line.lower().split("==") for line in pip_section)
    lock = read_lock(course_root / "requirements.lock")
    assert conda_pins == {n: v for n, v in lock.items() if n not in NO_DEPS}
    readme = (course_root / "README.md").read_text() + (course_root / "book/setup.md").read_text()
    for name in NO_DEPS:
        assert f"pip install --no-deps {name}=={lock[name]}" in readme


def test_is_environment_yml_regenerated_from_the_lock(course_root: Path) -> None:
    """Is environment.yml byte-for-byte what `make lock` would write?"""
    result = subprocess.run(
        [sys.executable, str(course_root / "tools" / "sync_environment.py"), "--check"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout


def test_does_the_lock_satisfy_pyproject(course_root: Path) -> None:
    """Does every dependency range in pyproject.toml accept the locked version?"""
    project = tomllib.loads((course_root / "pyproject.toml").read_text())["project"]
    lock = read_lock(course_root / "requirements.lock")
    wanted = project["dependencies"] + project["optional-dependencies"]["dev"]
    for line in wanted:
        req = Requirement(line)
        name = re.sub(r"[-_.]+", "-", req.name).lower()
        assert name in lock, f"{name} is in pyproject.toml but not in requirements.lock"
        assert req.specifier.contains(lock[name], prereleases=True), (name, lock[name])


def test_is_torch_pinned_to_the_course_version(course_root: Path) -> None:
    """Is torch pinned exactly, so no install pulls an unexpected multi-GB CUDA build?"""
    assert read_lock(course_root / "requirements.lock")["torch"] == "2.13.0"


def test_does_the_installed_environment_match_the_lock(course_root: Path) -> None:
    """Is this environment the locked one (catches a stale .venv after a lock change)?"""
    lock = read_lock(course_root / "requirements.lock")
    drift = {}
    for name in ("numpy", "transformers", "sentence-transformers", "jupyter-book", "nbval"):
        installed = version(name)
        if installed != lock[name]:
            drift[name] = (installed, lock[name])
    assert not drift, f"installed != locked: {drift}; run `make setup`"
