"""A short locust run against uvicorn: p50/p95 of cache hits as ratios of cache misses."""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from labkit import services

from conftest import SECRET, Account, Harness, wait_for

Make = Callable[..., Account]
TESTS = Path(__file__).parent


@pytest.fixture
def server_url(harness: Harness, database_url: str, redis_url: str) -> Iterator[str]:
    port = services.free_port()
    env = {
        **os.environ,
        "AI_API_DATABASE_URL": database_url,
        "AI_API_REDIS_URL": redis_url,
        "AI_API_JWT_SECRET": SECRET,
        "PYTHONPATH": f"{TESTS.parent / 'src'}:{TESTS}",
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "load_app:build",
            "--factory",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        env=env,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"

    def healthy() -> bool:
        try:
            return httpx.get(f"{url}/health", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    try:
        wait_for(healthy, timeout_s=30)
        yield url
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=10)


def test_are_cache_hits_faster_at_p50_and_p95(
    server_url: str, make_account: Make, tmp_path: Path
) -> None:
    token = make_account(plan="pro").token(ttl_s=600)
    started = time.perf_counter()
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "locust",
            "-f",
            str(TESTS / "locustfile.py"),
            "--headless",
            "--users",
            "4",
            "--spawn-rate",
            "4",
            "--run-time",
            "5s",
            "--host",
            server_url,
            "--csv",
            str(tmp_path / "load"),
            "--only-summary",
            "--loglevel",
            "WARNING",
        ],
        env={**os.environ, "LOAD_TEST_TOKEN": token},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    with (tmp_path / "load_stats.csv").open() as file:
        rows = {row["Name"]: row for row in csv.DictReader(file)}
    hit, miss = rows["summaries (cache hit)"], rows["summaries (cache miss)"]
    assert int(hit["Failure Count"]) == int(miss["Failure Count"]) == 0
    assert int(hit["Request Count"]) >= 20
    assert int(miss["Request Count"]) >= 20
    p50 = float(hit["50%"]) / float(miss["50%"])
    p95 = float(hit["95%"]) / float(miss["95%"])
    print(
        f"\nlocust {time.perf_counter() - started:.1f} s: "
        f"hit p50={hit['50%']} ms p95={hit['95%']} ms, "
        f"miss p50={miss['50%']} ms p95={miss['95%']} ms, ratios p50={p50:.2f} p95={p95:.2f}"
    )
    assert p50 < 0.8, f"a cache hit should be clearly faster than a miss at p50; ratio {p50:.2f}"
