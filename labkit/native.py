"""Build small native extensions (Cython) safely enough to run inside the grading sandbox.

The grader's kernel forbids starting processes. The one exception is the C compiler, started by
:func:`build_cython` itself: :func:`is_trusted_compiler_call` lets the sandbox recognise that
call, by the compiler's name, its arguments and ``build_cython`` being on the call stack.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import io
import os
import re
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from types import FrameType, ModuleType
from typing import Any

_COMPILER = re.compile(r"(?:[\w.-]+-)?(?:gcc|cc|clang|g\+\+|c\+\+)(?:-[\d.]+)?")
_UNSAFE_FLAGS = ("-wrapper", "-B", "-fplugin", "-specs", "--specs", "@", "-x")
_COMPILER_ENV = ("CC", "CXX", "CFLAGS", "CPPFLAGS", "CXXFLAGS", "LDFLAGS", "LDSHARED", "ARCHFLAGS")


_ALLOWED_CIMPORTS = frozenset(["cython", "libc.math"])
_BUILT: dict[str, ModuleType] = {}


def _unsafe_cython(source: str) -> str | None:
    """Say why source may not be built here, or None: only plain Cython, no C-level escapes."""
    for number, line in enumerate(source.splitlines(), 1):
        code = line.split("#", 1)[0]
        if re.match(r"\s*#\s*distutils\s*:", line):
            return f"line {number}: '# distutils:' directives are not allowed"
        if re.search(r"\b(extern|include)\b", code):
            return f"line {number}: extern and include are not allowed"
        for module in re.findall(r"\bfrom\s+([\w.]+)\s+cimport\b|\bcimport\s+([\w.]+)", code):
            name = module[0] or module[1]
            if name not in _ALLOWED_CIMPORTS:
                return f"line {number}: cimport only from {', '.join(sorted(_ALLOWED_CIMPORTS))}"
    return None


def build_cython(name: str, source: str) -> ModuleType:
    """Compile Cython source into an extension module, import it and return it.

    Cython translates the source to C, setuptools' ``build_ext`` runs the C compiler on it,
    and the shared library is imported from a folder named after the source's hash, so
    building the same source twice is instant.

    Raises:
        ValueError: The source uses ``extern``, ``include``, a ``# distutils:`` directive or
            a ``cimport`` other than ``cython`` and ``libc.math``.
        Cython.Compiler.Errors.CompileError: The source is not valid Cython; the errors are
            printed above.

    """
    if problem := _unsafe_cython(source):
        raise ValueError(f"{problem}; the lab's extension needs only cython and libc.math")
    digest = hashlib.sha256(f"{name}\n{source}".encode()).hexdigest()[:16]
    if digest in _BUILT:
        return _BUILT[digest]
    folder = Path(tempfile.gettempdir()) / "labkit-cython" / f"{name}-{digest}"
    built = sorted(folder.glob(f"{name}.*.so")) + sorted(folder.glob(f"{name}.*.pyd"))
    if not built:
        from Cython.Build import cythonize
        from setuptools import Distribution, Extension

        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{name}.pyx").write_text(source, encoding="utf-8")
        extension = Extension(name, [str(folder / f"{name}.pyx")], extra_compile_args=["-O2"])
        modules = cythonize(  # type: ignore[no-untyped-call]
            [extension], quiet=True, language_level=3
        )
        command: Any = Distribution({"ext_modules": modules}).get_command_obj("build_ext")
        command.build_lib, command.build_temp = str(folder), str(folder / "build")
        command.ensure_finalized()
        with _clean_compiler_env(), contextlib.redirect_stdout(io.StringIO()):
            command.run()
        built = [Path(command.get_ext_fullpath(name))]
    spec = importlib.util.spec_from_file_location(name, built[0])
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    _BUILT[digest] = module
    return module


@contextlib.contextmanager
def _clean_compiler_env() -> Iterator[None]:
    """Build with the interpreter's own compiler settings, whatever the caller put in os.environ."""
    saved = {name: os.environ.pop(name) for name in _COMPILER_ENV if name in os.environ}
    try:
        yield
    finally:
        os.environ.update(saved)


def is_trusted_compiler_call(argv: Sequence[object], frame: FrameType | None) -> bool:
    """Whether a process about to start is build_cython's C compiler, and nothing else.

    Args:
        argv: The command line the process would run.
        frame: The frame that asked for the process; its callers are searched for
            :func:`build_cython`.

    """
    if not argv or any(str(a).startswith(_UNSAFE_FLAGS) for a in argv[1:]):
        return False
    if not _COMPILER.fullmatch(os.path.basename(os.fsdecode(str(argv[0])))):
        return False
    while frame is not None:
        if frame.f_code is build_cython.__code__:
            return True
        frame = frame.f_back
    return False
