"""Run the project's locust profile headless and read its CSV: p50, p95, p99 and throughput."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

LOCUSTFILE = Path(__file__).resolve().parents[2] / "locustfile.py"


@dataclass(frozen=True)
class LoadResult:
    """The aggregated row of a locust run; latencies in milliseconds."""

    users: int
    requests: int
    failures: int
    requests_per_s: float
    p50_ms: float
    p95_ms: float
    p99_ms: float


def read_locust_stats(stats_csv: Path, users: int) -> LoadResult:
    """Read the ``Aggregated`` row of locust's ``<prefix>_stats.csv``.

    Raises:
        ValueError: The file has no ``Aggregated`` row (locust did not run), or no request
            completed (locust writes ``N/A`` percentiles then).

    """
    with stats_csv.open(newline="") as file:
        rows = {row["Name"]: row for row in csv.DictReader(file)}
    if "Aggregated" not in rows:
        raise ValueError(f"{stats_csv} has no Aggregated row; did locust run?")
    row = rows["Aggregated"]
    if int(row["Request Count"]) == 0:
        raise ValueError(
            f"{stats_csv}: no request completed during the run; run longer or ask for fewer tokens"
        )
    return LoadResult(
        users=users,
        requests=int(row["Request Count"]),
        failures=int(row["Failure Count"]),
        requests_per_s=float(row["Requests/s"]),
        p50_ms=float(row["50%"]),
        p95_ms=float(row["95%"]),
        p99_ms=float(row["99%"]),
    )


def run_locust(
    host: str,
    *,
    users: int,
    spawn_rate: float,
    run_time_s: int,
    csv_prefix: Path,
    model: str = "smollm2-135m-instruct",
    max_tokens: int = 8,
    locustfile: Path = LOCUSTFILE,
) -> LoadResult:
    """Run locust headless as a subprocess (importing it would monkeypatch this process).

    Raises:
        RuntimeError: locust exited with an error; its output is in the message.

    """
    command = [
        sys.executable, "-m", "locust", "-f", str(locustfile), "--headless",
        "--users", str(users), "--spawn-rate", str(spawn_rate), "--run-time", f"{run_time_s}s",
        "--host", host, "--csv", str(csv_prefix), "--only-summary", "--loglevel", "WARNING",
    ]  # fmt: skip
    env = {
        **os.environ,
        "LLM_SERVING_LOCUST_MODEL": model,
        "LLM_SERVING_LOCUST_MAX_TOKENS": str(max_tokens),
    }
    run = subprocess.run(  # noqa: S603 - our own interpreter and arguments
        command, env=env, capture_output=True, text=True, timeout=run_time_s + 60, check=False
    )
    if run.returncode != 0:
        output = run.stdout[-2000:] + run.stderr[-2000:]
        raise RuntimeError(f"locust failed ({run.returncode}):\n{output}")
    return read_locust_stats(Path(f"{csv_prefix}_stats.csv"), users)
