"""The grading sandbox: one notebook run by nbval in its own process group, kernel and folder.

The kernel gets an audit hook (no writes outside its folder; no processes but the perf lab's
compiler and the programs checks declare with ``runs_program``; no signals), a memory cap,
capped output and, where ``unshare`` works, no network.
This module is also the sandbox's pytest plugin (``-p labkit.sandbox``) and kernel launcher
(``python -m labkit.sandbox``).
"""

from __future__ import annotations

import json
import os
import re
import resource
import runpy
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil
from nbformat import NotebookNode

from labkit import checks
from labkit.assign import render, write_atomic
from labkit.checks._programs import is_trusted_program_call
from labkit.native import is_trusted_compiler_call
from labkit.settings import get_settings

MEMORY_LIMIT = 6 * 2**30
"""Bytes of address space one submission may use: torch and a small model reserve over 2 GiB."""
OUTPUT_LIMIT = 2**20
"""Characters of printed output a submission may send; the rest is dropped."""
CELL_TIMEOUT = 60.0
"""Seconds one cell may run, at most the whole submission's timeout."""
_LOG_ENV = "LABKIT_GRADE_LOG"
_SERVICES_ENV = "LABKIT_GRADE_SERVICES"
SERVICE_URLS = {"postgres": "DATABASE_URL", "redis": "REDIS_URL"}
"""Servers a lab may ask for in ``metadata.course.services``, and the variable each sets."""
_services = ExitStack()
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_BLOCKED_EVENTS = (
    "os.fork",
    "os.forkpty",
    "os.exec",
    "os.posix_spawn",
    "os.spawn",
    "os.system",
    "subprocess.Popen",
    "pty.spawn",
    "os.kill",
    "os.killpg",
    "resource.setrlimit",
    "sys.addaudithook",
)
_WRITE_EVENTS = (
    "os.remove",
    "os.rmdir",
    "os.rename",
    "os.replace",
    "os.mkdir",
    "os.chmod",
    "os.chown",
    "os.link",
    "os.symlink",
    "os.truncate",
    "shutil.rmtree",
)
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC


_SPAWN_EVENTS = ("subprocess.Popen", "os.posix_spawn")


def _trusted_spawn(event: str, args: tuple[Any, ...], frame: Any) -> bool:
    """Whether a spawn is build_cython's C compiler or a check's declared program."""
    argv = args[1]  # (executable, args, cwd, env) and (path, argv, env) alike
    if isinstance(argv, str | bytes) or argv is None:
        return False
    return is_trusted_compiler_call(list(argv), frame) or is_trusted_program_call(list(argv), frame)


def _guard_kernel(workdir: str) -> None:
    """Install the kernel's audit hook: no writes outside ``workdir``, no processes, no ctypes.

    Python cannot remove an audit hook, so answer code cannot switch this off.
    """
    inside = os.path.realpath(workdir) + os.sep

    def outside(path: object) -> bool:
        if not isinstance(path, str | bytes | os.PathLike):
            return False  # an open file descriptor
        real = os.path.realpath(os.fsdecode(path))
        if real == os.devnull:
            return False  # torch, among others, opens it for writing when it loads
        return not (real + os.sep).startswith(inside)

    def hook(event: str, args: tuple[Any, ...]) -> None:
        if event.startswith(_BLOCKED_EVENTS):
            if event in _SPAWN_EVENTS and _trusted_spawn(event, args, sys._getframe(1)):
                return  # build_cython's compiler, or a check's declared program, nothing else
            raise PermissionError(f"graded code may not use {event}")
        writes = event == "open" and (
            any(c in str(args[1] or "") for c in "wax+") or (args[2] or 0) & _WRITE_FLAGS
        )
        if (writes or event in _WRITE_EVENTS) and args and outside(args[0]):
            raise PermissionError(
                f"graded code may write only inside its working directory, "
                f"not {os.fsdecode(args[0])}"
            )

    sys.addaudithook(hook)


def _cap_output() -> None:
    """Drop printed output past ``OUTPUT_LIMIT``, so a print loop cannot flood nbval's memory."""
    from ipykernel.iostream import OutStream

    write, sent = OutStream.write, [0]

    def capped(stream: OutStream, text: str) -> int:
        sent[0] += len(text)
        if sent[0] <= OUTPUT_LIMIT:
            return int(write(stream, text) or 0)
        if sent[0] - len(text) <= OUTPUT_LIMIT:
            write(stream, f"\n[labkit grade: output cut after {OUTPUT_LIMIT:,} characters]\n")
        return len(text)

    OutStream.write = capped  # type: ignore[method-assign,assignment]


def _launch_kernel(connection_file: str, workdir: str, exit_log: str) -> None:
    """Run as the sandbox's kernelspec: start a guarded ipykernel, and record how it ended."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # interrupts are for the kernel
    child = os.fork()
    if child == 0:
        signal.signal(signal.SIGINT, signal.default_int_handler)
        os.chdir(workdir)
        quiet = os.open(os.devnull, os.O_WRONLY)
        os.dup2(quiet, 1)
        os.dup2(quiet, 2)
        for name in (_LOG_ENV, "JUPYTER_PATH", "JUPYTER_RUNTIME_DIR"):
            os.environ.pop(name, None)
        os.environ.update(
            HOME=workdir,
            TMPDIR=workdir,
            MPLCONFIGDIR=f"{workdir}/.matplotlib",
            IPYTHONDIR=f"{workdir}/.ipython",
        )
        sys.argv = ["ipykernel_launcher", "-f", connection_file]
        _cap_output()
        _guard_kernel(workdir)
        runpy.run_module("ipykernel_launcher", run_name="__main__", alter_sys=True)
        os._exit(0)
    _, status = os.waitpid(child, 0)
    if os.WIFSIGNALED(status):
        ending = f"killed by {signal.Signals(os.WTERMSIG(status)).name}"
    else:
        ending = f"exited with code {os.WEXITSTATUS(status)}"
    write_atomic(Path(exit_log), ending)


def pytest_sessionstart(session: Any) -> None:
    """Start the real servers the lab asked for, before its kernel: a pytest hook.

    pytest runs inside the sandbox's network namespace but outside the guarded kernel, so it
    may start processes; the kernel inherits ``DATABASE_URL`` / ``REDIS_URL`` and
    ``labkit.services`` connects to those servers instead of starting its own.
    """
    from labkit import services

    for name in filter(None, os.environ.get(_SERVICES_ENV, "").split(",")):
        server = _services.enter_context(getattr(services, name)())
        os.environ[SERVICE_URLS[name]] = server.url


def pytest_sessionfinish(session: Any) -> None:
    """Stop the servers started for the lab: a pytest hook."""
    _services.close()


def pytest_runtest_logreport(report: Any) -> None:
    """Log each cell's outcome: a pytest hook, active in runs started with ``-p labkit.sandbox``."""
    if _LOG_ENV in os.environ and (report.when == "call" or report.failed):
        text = _ANSI.sub("", str(report.longrepr or ""))[-20_000:]
        record = {"cell": int(report.nodeid.rsplit("Cell ", 1)[-1]), "outcome": report.outcome}
        with open(os.environ[_LOG_ENV], "a", encoding="utf-8") as log:
            log.write(json.dumps({**record, "text": text}) + "\n")


def network_prefix() -> list[str]:
    """Return the command prefix that gives a run no network, or ``[]`` where none works."""
    if not (shutil.which("unshare") and shutil.which("ip")):
        return []
    for prefix in (["unshare", "-n"], ["unshare", "-rn"]):
        probe = [*prefix, "ip", "link", "set", "lo", "up"]
        if subprocess.run(probe, capture_output=True, check=False).returncode == 0:
            return [*prefix, "sh", "-c", 'ip link set lo up && exec "$@"', "sh"]
    return []


def protections(prefix: list[str]) -> dict[str, str]:
    """Describe, for summary.json, what the sandbox guards on this machine."""
    return {
        "network": "blocked: own network namespace" if prefix else "NOT blocked (no unshare)",
        "files": "writes only inside a fresh working directory (audit hook)",
        "processes": "cannot start processes or send signals (audit hook); all killed at the end",
        "memory": f"{MEMORY_LIMIT // 2**30} GiB address space",
    }


def _limit_resources() -> None:
    """Run in the child before exec: its own session, and capped memory, file size and cores."""
    os.setsid()
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 2**20, 64 * 2**20))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)


def _kill_tree(process: subprocess.Popen[bytes]) -> None:
    """Kill pytest, its kernel and anything they started."""
    try:
        parent = psutil.Process(process.pid)
        victims = [parent, *parent.children(recursive=True)]
    except psutil.NoSuchProcess:
        victims = []
    for victim in victims:
        try:
            victim.kill()
        except psutil.NoSuchProcess:
            continue
    psutil.wait_procs(victims, timeout=5)
    process.wait()


@dataclass
class Run:
    """What one sandboxed run reported: each code cell's outcome, and how the kernel ended."""

    outcomes: dict[int, dict[str, str]] = field(default_factory=dict)
    kernel_exit: str = ""


def run_sandboxed(
    notebook: NotebookNode, prefix: list[str], *, timeout: float, cell_timeout: float
) -> Run:
    """Run a notebook with ``pytest --nbval-lax`` in a fresh directory and process group."""
    base = Path(tempfile.mkdtemp(prefix="labkit-grade-"))
    try:
        workdir, spec = base / "work", base / "jupyter" / "kernels" / "labkit-sandbox"
        workdir.mkdir()
        spec.mkdir(parents=True)
        argv = [
            sys.executable,
            "-m",
            "labkit.sandbox",
            "{connection_file}",
            str(workdir),
            str(base / "kernel-exit"),
        ]
        (spec / "kernel.json").write_text(json.dumps({"argv": argv, "display_name": "sandbox"}))
        (base / "pytest.ini").write_text("[pytest]\n")
        (base / "graded.ipynb").write_text(render(notebook), encoding="utf-8")
        env = {k: v for k, v in os.environ.items() if k.startswith("LABKIT_") or k == "PATH"}
        # The kernel's HOME is its folder; keep the models converted once (read-only there).
        env.setdefault("LABKIT_CACHE_DIR", str(get_settings().cache_dir))
        wanted = notebook.metadata.get("course", {}).get("services", [])
        unknown = sorted(set(wanted) - set(SERVICE_URLS))
        if unknown:
            raise ValueError(f"metadata.course.services names unknown servers: {unknown}")
        env.update(
            {
                checks.GRADING_ENV: "1",
                _LOG_ENV: str(base / "cells.jsonl"),
                "HOME": str(base),
                "JUPYTER_PATH": str(base / "jupyter"),
                "JUPYTER_RUNTIME_DIR": str(base / "rt"),
                "PYTHONDONTWRITEBYTECODE": "1",
                "OMP_NUM_THREADS": "1",
                _SERVICES_ENV: ",".join(wanted),
            }
        )
        command = [
            *prefix,
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "labkit.sandbox",
            "-p",
            "no:cacheprovider",
            "-q",
            "--nbval-lax",
            "--runxfail",
            "-c",
            "pytest.ini",
            "--nbval-kernel-name=labkit-sandbox",
            f"--nbval-cell-timeout={cell_timeout:g}",
            "graded.ipynb",
        ]
        with open(base / "pytest.log", "wb") as log:
            process = subprocess.Popen(
                command,
                cwd=base,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                preexec_fn=_limit_resources,
            )
        deadline = time.monotonic() + timeout
        while process.poll() is None and time.monotonic() < deadline:
            if (base / "kernel-exit").exists():  # the kernel ended: wait briefly for pytest
                deadline = min(deadline, time.monotonic() + 3)
            time.sleep(0.1)
        _kill_tree(process)
        run = Run()
        if (base / "cells.jsonl").exists():
            for line in (base / "cells.jsonl").read_text(encoding="utf-8").splitlines():
                record = json.loads(line)
                run.outcomes[record["cell"]] = record
        if (base / "kernel-exit").exists():
            run.kernel_exit = (base / "kernel-exit").read_text()
        return run
    finally:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    _launch_kernel(*sys.argv[1:])
