"""The ``ai-api`` command line against real Postgres and Redis; bad input exits 2 and says why."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, cast

import pytest
import redis
import uvicorn
from fastapi import FastAPI
from labkit.services import free_port
from sqlalchemy import create_engine, func, inspect, select, text
from sqlalchemy.engine import make_url

from ai_api.__main__ import main
from ai_api.auth import SCOPES
from ai_api.migrate import alembic_config
from ai_api.models import Tenant, User
from conftest import SECRET, Account, Harness

Make = Callable[..., Account]
PROJECT = Path(__file__).resolve().parents[1]
TENANT_ARGS = ["create-tenant", "--name", "acme", "--plan", "pro", "--username", "alice"]


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch, database_url: str, redis_url: str) -> None:
    """The ``AI_API_*`` variables the CLI reads, pointing at the session's servers."""
    monkeypatch.setenv("AI_API_DATABASE_URL", database_url)
    monkeypatch.setenv("AI_API_REDIS_URL", redis_url)
    monkeypatch.setenv("AI_API_JWT_SECRET", SECRET)


@pytest.fixture
def empty_database(database_url: str) -> Iterator[str]:
    """A database of its own on the session's Postgres, dropped afterwards."""
    admin = create_engine(database_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text("DROP DATABASE IF EXISTS cli_check WITH (FORCE)"))
        connection.execute(text("CREATE DATABASE cli_check"))
    yield make_url(database_url).set(database="cli_check").render_as_string(False)
    with admin.connect() as connection:
        connection.execute(text("DROP DATABASE IF EXISTS cli_check WITH (FORCE)"))
    admin.dispose()


def test_does_migrate_bring_an_empty_database_to_head_twice_over(
    environment: None,
    empty_database: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from alembic.script import ScriptDirectory

    monkeypatch.setenv("AI_API_DATABASE_URL", empty_database)
    assert main(["migrate"]) == 0
    assert main(["migrate"]) == 0  # already at head: nothing to do, still fine
    assert capsys.readouterr().out.count("database migrated to head") == 2
    head = ScriptDirectory.from_config(alembic_config(empty_database)).get_current_head()
    engine = create_engine(empty_database)
    with engine.connect() as connection:
        assert connection.scalar(text("SELECT version_num FROM alembic_version")) == head
    assert {"tenants", "users", "summaries", "outbox"} <= set(inspect(engine).get_table_names())
    engine.dispose()


def test_can_the_user_of_a_created_tenant_log_in_with_every_scope(
    environment: None, harness: Harness, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*TENANT_ARGS, "--password", "a long password"]) == 0
    assert "tenant acme" in capsys.readouterr().out
    form = {"username": "alice", "password": "a long password"}
    answer = harness.client.post("/v1/auth/token", data=form)
    assert answer.status_code == 200, answer.text
    assert answer.json()["scope"].split() == sorted(SCOPES)
    with harness.service.session_factory() as session:
        assert session.scalars(select(Tenant.plan).where(Tenant.name == "acme")).all() == ["pro"]


@pytest.mark.parametrize(
    "second",
    [
        ["create-tenant", "--name", "acme", "--username", "bob"],
        ["create-tenant", "--name", "globex", "--username", "alice"],
    ],
    ids=["tenant name taken", "username taken"],
)
def test_is_a_taken_name_refused_without_creating_half_a_tenant(
    environment: None,
    harness: Harness,
    capsys: pytest.CaptureFixture[str],
    second: list[str],
) -> None:
    assert main([*TENANT_ARGS, "--password", "a long password"]) == 0
    assert main([*second, "--password", "another password"]) == 1
    assert "already exists; nothing was created" in capsys.readouterr().err
    with harness.service.session_factory() as session:
        assert session.scalar(select(func.count()).select_from(Tenant)) == 1
        assert session.scalar(select(func.count()).select_from(User)) == 1


def test_does_relay_publish_the_outbox_then_stop_cleanly_on_ctrl_c(
    environment: None,
    harness: Harness,
    make_account: Make,
    redis_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    account = make_account(plan="pro")
    ids = [
        harness.client.post(
            "/v1/summaries", json={"text": f"relayed event {i}"}, headers=account.headers()
        ).json()["id"]
        for i in range(2)
    ]
    monkeypatch.setenv("AI_API_EVENTS_STREAM", "cli-events")
    waits: list[float] = []

    def interrupted_sleep(seconds: float) -> None:
        waits.append(seconds)
        raise KeyboardInterrupt  # what Ctrl+C does while the relay waits for new events

    monkeypatch.setattr("ai_api.__main__.time.sleep", interrupted_sleep)
    assert main(["relay", "--every", "0.25"]) == 0
    assert waits == [0.25]  # it waited only once the outbox was empty
    assert "after publishing 2 events" in capsys.readouterr().out
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    entries = cast(list[tuple[str, dict[str, str]]], client.xrange("cli-events"))
    client.close()
    assert [json.loads(fields["payload"])["id"] for _, fields in entries] == ids


def test_does_serve_hand_the_app_and_address_to_uvicorn(
    environment: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[Any, dict[str, Any]]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kwargs: calls.append((app, kwargs)))
    monkeypatch.setenv("AI_API_PORT", "8123")
    assert main(["serve"]) == 0
    [(app, kwargs)] = calls
    assert isinstance(app, FastAPI)
    assert kwargs == {"host": "127.0.0.1", "port": 8123}


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        ([], "the following arguments are required: command"),
        (["frobnicate"], "invalid choice: 'frobnicate'"),
        (["create-tenant", "--name", "acme"], "required: --username, --password"),
        ([*TENANT_ARGS[:3], "--plan", "gold", "--username", "a", "--password", "p"], "'gold'"),
        (["relay", "--every", "soon"], "expected a number of seconds, got 'soon'"),
        (["relay", "--every", "0"], "must be more than 0 seconds"),
        (["relay", "--every", "nan"], "must be more than 0 seconds"),
    ],
    ids=[
        "no command",
        "unknown command",
        "missing options",
        "unknown plan",
        "not a number",
        "zero",
        "NaN",
    ],
)
def test_do_bad_arguments_exit_2_with_a_message(
    environment: None, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    error = capsys.readouterr().err
    assert error.startswith("usage: ai-api")
    assert message in error


@pytest.mark.parametrize(
    ("secret", "message"),
    [(None, "AI_API_JWT_SECRET: Field required"), ("short", "at least 32 characters")],
    ids=["missing", "too short"],
)
def test_do_bad_settings_exit_2_naming_the_variable(
    environment: None,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    secret: str | None,
    message: str,
) -> None:
    if secret is None:
        monkeypatch.delenv("AI_API_JWT_SECRET")
    else:
        monkeypatch.setenv("AI_API_JWT_SECRET", secret)
    with pytest.raises(SystemExit) as exit_info:
        main(["migrate"])
    assert exit_info.value.code == 2
    error = capsys.readouterr().err
    assert "bad settings in the environment" in error
    assert message in error


def test_does_an_unreachable_database_exit_1_with_a_message(
    environment: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    closed_port = free_port()  # nothing listens there
    monkeypatch.setenv("AI_API_DATABASE_URL", f"postgresql://postgres@127.0.0.1:{closed_port}/x")
    assert main(["migrate"]) == 1
    error = capsys.readouterr().err
    assert error.startswith("ai-api migrate: cannot reach the database:")
    assert "Traceback" not in error


def test_does_python_dash_m_exit_with_the_commands_code() -> None:
    environment = {**os.environ, "PYTHONPATH": str(PROJECT / "src")}
    result = subprocess.run(
        [sys.executable, "-m", "ai_api", "relay", "--every", "-1"],
        capture_output=True,
        text=True,
        env=environment,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "argument --every: must be more than 0 seconds, got '-1'" in result.stderr
