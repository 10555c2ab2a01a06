"""Lab checks: ``from labkit.checks import lab02 as check``, then ``check.q1(top_k)``."""

from __future__ import annotations

import importlib
import re

from labkit.checks._core import (
    GRADING_ENV,
    Case,
    CaseFailed,
    CheckTimeout,
    Feedback,
    Lab,
    Question,
    expect,
    expect_equal,
    grading,
)
from labkit.errors import GradingError

LAB_ID = re.compile(r"lab\d\d")
"""A lab id: ``lab`` and two digits, the first one the phase, e.g. ``lab02``."""


def load(lab_id: str) -> Lab:
    """Return the :class:`Lab` that ``labkit/checks/<lab_id>.py`` declares.

    Raises:
        GradingError: ``lab_id`` is not a lab id, or the lab has no checks module.

    """
    if not LAB_ID.fullmatch(lab_id):
        raise GradingError(f"{lab_id!r} is not a lab id; use lab and two digits, e.g. lab02")
    try:
        module = importlib.import_module(f"labkit.checks.{lab_id}")
    except ModuleNotFoundError as error:
        raise GradingError(
            f"unknown lab {lab_id}: there is no labkit/checks/{lab_id}.py"
        ) from error
    lab: Lab = module.lab
    return lab


__all__ = [
    "GRADING_ENV",
    "LAB_ID",
    "Case",
    "CaseFailed",
    "CheckTimeout",
    "Feedback",
    "Lab",
    "Question",
    "expect",
    "expect_equal",
    "grading",
    "load",
]
