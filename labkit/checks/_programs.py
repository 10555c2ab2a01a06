"""Programs a check may start inside the grading sandbox, e.g. lab83's real ``hadolint``.

The sandbox blocks every new process in graded code. A check that must run a real tool on the
learner's answer marks its function with :func:`runs_program`; the sandbox then lets exactly
that program start, from a system or virtual-environment folder (never one the answer could
have written), while that function is on the call stack.

Example:
    >>> @runs_program("hadolint")
    ... def hadolint_findings(dockerfile: str) -> list[dict[str, str]]: ...

"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from types import CodeType, FrameType
from typing import TypeVar

F = TypeVar("F", bound=Callable[..., object])
_TRUSTED: dict[CodeType, str] = {}
_SYSTEM_FOLDERS = ("/usr/bin", "/usr/local/bin", "/usr/sbin", "/bin")


def runs_program(program: str) -> Callable[[F], F]:
    """Let the decorated check function start ``program`` (a bare name) under the sandbox."""

    def register(function: F) -> F:
        _TRUSTED[function.__code__] = program
        return function

    return register


def _trusted_folders() -> set[str]:
    venv_bin = os.path.dirname(os.path.abspath(sys.executable))  # not resolved: a venv's bin
    return {os.path.realpath(folder) for folder in (*_SYSTEM_FOLDERS, venv_bin)}


def is_trusted_program_call(argv: Sequence[object], frame: FrameType | None) -> bool:
    """Whether a process about to start is a registered check's own program, and nothing else.

    Args:
        argv: The command line the process would run; ``argv[0]`` must be an absolute path.
        frame: The frame that asked for the process; its callers are searched for a function
            registered with :func:`runs_program`.

    """
    if not argv:
        return False
    executable = os.fsdecode(str(argv[0]))
    real = os.path.realpath(executable)
    if not os.path.isabs(executable) or os.path.dirname(real) not in _trusted_folders():
        return False
    while frame is not None:
        program = _TRUSTED.get(frame.f_code)
        if program is not None:
            return os.path.basename(real) == program
        frame = frame.f_back
    return False
