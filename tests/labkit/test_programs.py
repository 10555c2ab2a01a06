"""Can a check start its one declared program under the sandbox, and nothing else?"""

from __future__ import annotations

import sys

from labkit.checks._programs import is_trusted_program_call, runs_program


@runs_program("true")
def _runs_true(argv: list[str]) -> bool:
    return is_trusted_program_call(argv, sys._getframe())


def test_does_a_declared_check_start_its_program_from_a_system_folder() -> None:
    """Is /usr/bin/true allowed while the function that declared it is on the stack?"""
    assert _runs_true(["/usr/bin/true"])


def test_is_the_same_program_refused_outside_the_declared_function() -> None:
    """Would answer code calling the same program directly still be refused?"""
    assert not is_trusted_program_call(["/usr/bin/true"], sys._getframe())


def test_are_other_programs_and_folders_refused() -> None:
    """Is a different program, a relative path or a copy in a writable folder refused?"""
    assert not _runs_true(["/bin/sh", "-c", "true"])
    assert not _runs_true(["true"])
    assert not _runs_true(["/tmp/true"])
    assert not _runs_true([])
