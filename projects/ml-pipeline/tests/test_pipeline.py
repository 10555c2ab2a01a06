"""Does one command give the same metrics twice, record the data hash, and refuse bad input?"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ml_pipeline import Config, run
from ml_pipeline.__main__ import main

CONFIG = Config(max_iter=20)


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small synthetic loan table whose label depends on two features."""
    rng = np.random.default_rng(7)
    n = 400
    frame = pd.DataFrame(
        {
            "applicant_id": rng.integers(0, 400, n),
            "region": rng.choice(["north", "south", "west"], n),
            "home_ownership": rng.choice(["rent", "own"], n),
            "purpose": rng.choice(["car", "other"], n),
            "age": rng.integers(21, 70, n),
            "income": rng.lognormal(3.5, 0.3, n),
            "employment_years": rng.integers(0, 30, n),
            "credit_score": rng.normal(680, 60, n).round(),
            "loan_amount": rng.lognormal(2.2, 0.5, n),
            "term_months": rng.choice([12, 36], n),
            "debt_to_income": rng.uniform(0.05, 0.9, n),
        }
    )
    logit = -1 + 3 * frame["debt_to_income"] - 0.01 * (frame["credit_score"] - 680)
    frame["defaulted"] = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    path = tmp_path_factory.mktemp("data") / "loans.csv"
    frame.to_csv(path, index=False)
    return path


def test_does_running_twice_give_identical_metrics(data: Path, tmp_path: Path) -> None:
    first = run(data, tmp_path / "a", CONFIG)
    run(data, tmp_path / "b", CONFIG)
    assert (tmp_path / "a" / "metrics.json").read_bytes() == (
        tmp_path / "b" / "metrics.json"
    ).read_bytes()
    assert first.metrics["global"]["roc_auc"] > 0.6


def test_does_the_run_record_the_data_sha256(data: Path, tmp_path: Path) -> None:
    metrics = json.loads((run(data, tmp_path, CONFIG).out_dir / "metrics.json").read_text())
    assert metrics["data"]["sha256"] == hashlib.sha256(data.read_bytes()).hexdigest()
    assert set(metrics["per_segment"]) == {"north", "south", "west"}


def test_does_the_report_hold_metrics_plot_and_model_card(data: Path, tmp_path: Path) -> None:
    run(data, tmp_path, CONFIG)
    report = (tmp_path / "report.md").read_text()
    for heading in ("## Global metrics", "## Per `region`", "## Model card", "evaluation.png"):
        assert heading in report
    assert (tmp_path / "evaluation.png").stat().st_size > 1_000


def test_does_a_different_seed_change_the_split(data: Path, tmp_path: Path) -> None:
    one = run(data, tmp_path / "s0", CONFIG).metrics["split"]["test_rows"]
    other = run(data, tmp_path / "s1", Config(max_iter=20, seed=1)).metrics["split"]["test_rows"]
    assert one != other


def test_does_a_missing_column_give_a_clear_error_on_the_cli(
    data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "broken.csv"
    pd.read_csv(data).drop(columns=["credit_score"]).to_csv(broken, index=False)
    assert main(["--data", str(broken), "--out", str(tmp_path / "out"), "--max-iter", "5"]) == 2
    assert "lacks the columns ['credit_score']" in capsys.readouterr().err
    assert main(["--data", str(tmp_path / "nope.csv")]) == 2
