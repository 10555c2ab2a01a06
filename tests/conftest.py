"""Shared pytest fixtures for the course's tests."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def course_root() -> Path:
    """The repository root, whatever directory pytest was started from."""
    return ROOT
