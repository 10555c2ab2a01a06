"""A short headless locust run with the project's locustfile: percentiles read from its CSV."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import MODEL
from llm_serving.app import create_app
from llm_serving.generator import EchoGeneratorTestDouble
from llm_serving.loadtest import read_locust_stats, run_locust
from llm_serving.server import running_server
from llm_serving.settings import ServerSettings

pytestmark = pytest.mark.slow


def test_does_a_locust_run_report_ordered_percentiles(tmp_path: Path) -> None:
    app = create_app(EchoGeneratorTestDouble(per_call_s=0.01), ServerSettings())
    with running_server(app) as url:
        result = run_locust(
            url, users=4, spawn_rate=4, run_time_s=3, csv_prefix=tmp_path / "run", model=MODEL
        )
    assert result.failures == 0
    assert result.requests >= 20
    assert 0 < result.p50_ms <= result.p95_ms <= result.p99_ms


def test_does_a_missing_aggregate_row_raise_a_clear_error(tmp_path: Path) -> None:
    stats = tmp_path / "empty_stats.csv"
    stats.write_text("Type,Name,Request Count\n")
    with pytest.raises(ValueError, match="no Aggregated row"):
        read_locust_stats(stats, users=1)


def test_does_a_run_where_nothing_completed_say_so(tmp_path: Path) -> None:
    stats = tmp_path / "idle_stats.csv"
    stats.write_text(
        "Type,Name,Request Count,Failure Count,Requests/s,50%,95%,99%\n"
        ",Aggregated,0,0,0.0,N/A,N/A,N/A\n"
    )
    with pytest.raises(ValueError, match="no request completed"):
        read_locust_stats(stats, users=1)
