"""labkit.native lets the grading sandbox run build_cython's compiler, and nothing else."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from labkit import native

SANDBOXED_BUILD = """
import os, subprocess, sys
from labkit.sandbox import _guard_kernel
from labkit.native import build_cython
_guard_kernel(os.getcwd())
module = build_cython("tiny", "def twice(double x):\\n    return 2 * x\\n")
print("built", module.twice(21.0))
for argv in (["gcc", "--version"], ["sh", "-c", "true"]):
    try:
        subprocess.run(argv, check=True, capture_output=True)
        print("ran", argv[0])
    except PermissionError:
        print("blocked", argv[0])
"""


@pytest.mark.slow
def test_does_the_sandbox_let_build_cython_compile_and_nothing_else(tmp_path: Path) -> None:
    """Under the grader's audit hook, does build_cython compile while direct spawns fail?"""
    env = {**os.environ, "TMPDIR": str(tmp_path), "HOME": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-c", SANDBOXED_BUILD],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[:3] == ["built 42.0", "blocked gcc", "blocked sh"]


def test_is_a_compiler_outside_build_cython_refused() -> None:
    """Does a learner's own `gcc` call (no build_cython on the stack) stay blocked?"""
    assert not native.is_trusted_compiler_call(["gcc", "-c", "x.c"], sys._getframe(0))


@pytest.mark.parametrize(
    "argv",
    [
        ["sh", "-c", "id"],
        ["gcc", "-wrapper", "/bin/sh,-c,id", "x.c"],
        ["gcc", "-B/tmp/evil", "x.c"],
        ["gcc", "@/tmp/args"],
        ["gcc", "-fplugin=/tmp/p.so", "x.c"],
        [],
    ],
)
def test_are_non_compilers_and_hijacking_flags_refused(argv: list[str]) -> None:
    """Are other programs, and gcc flags that make gcc run other programs, refused?"""
    assert not native.is_trusted_compiler_call(argv, sys._getframe(0))


def test_does_a_build_ignore_compiler_variables_set_by_the_caller(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Are CC and CFLAGS from os.environ dropped during a build, and restored after?"""
    monkeypatch.setenv("CFLAGS", "-wrapper /bin/sh")
    with native._clean_compiler_env():
        assert "CFLAGS" not in os.environ
    assert os.environ["CFLAGS"] == "-wrapper /bin/sh"


@pytest.mark.parametrize(
    ("source", "problem"),
    [
        ("cdef extern from *:\n    int system(const char*)", "line 1: extern and include"),
        ("from posix.unistd cimport fork", "line 1: cimport only from cython, libc.math"),
        ("x = 1\n# distutils: extra_compile_args = -wrapper", "line 2: '# distutils:'"),
        ('include "evil.pxi"', "line 1: extern and include"),
    ],
)
def test_does_build_cython_refuse_c_level_escapes(source: str, problem: str) -> None:
    """Does build_cython refuse sources that reach C beyond cython and libc.math?"""
    with pytest.raises(ValueError, match=problem):
        native.build_cython("refused", source)
