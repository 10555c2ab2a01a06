"""The generator and the drift statistics, without Spark."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow.dataset as ds
import pytest

from spark_ml_pipeline import session
from spark_ml_pipeline.data import generate
from spark_ml_pipeline.drift import drift_report, psi


def test_does_the_same_seed_write_the_same_rows(tmp_path: Path) -> None:
    first = generate(tmp_path / "a", 4_000, seed=3)
    second = generate(tmp_path / "b", 4_000, seed=3)
    table_a = ds.dataset(first.transactions_path, partitioning="hive").to_table()
    table_b = ds.dataset(second.transactions_path, partitioning="hive").to_table()
    assert table_a.sort_by("txn_id").equals(table_b.sort_by("txn_id"))
    assert (first.n_applicants, first.n_transactions) == (200, 4_000)
    assert len(list(first.transactions_path.iterdir())) == 6, "one partition per month"


def test_does_the_generator_reject_bad_sizes(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="n_transactions must be >= 20"):
        generate(tmp_path, 5)
    with pytest.raises(ValueError, match="drift must be in"):
        generate(tmp_path, 100, drift=2.0)


def test_is_psi_near_zero_for_one_distribution_and_large_for_a_shift() -> None:
    rng = np.random.default_rng(0)
    reference = rng.normal(0, 1, 5_000)
    assert psi(reference, rng.normal(0, 1, 5_000)) < 0.02
    assert psi(reference, rng.normal(1, 1, 5_000)) > 0.5


def test_does_drift_report_name_a_missing_feature(tmp_path: Path) -> None:
    data = generate(tmp_path, 2_000)
    applicants = ds.dataset(data.applicants_path).to_table()
    with pytest.raises(ValueError, match="nope"):
        drift_report(applicants, applicants, ["income", "nope"])


def test_does_drift_fire_on_raw_income_shift_only(tmp_path: Path) -> None:
    base = ds.dataset(generate(tmp_path / "base", 40_000, seed=1).applicants_path).to_table()
    same = ds.dataset(generate(tmp_path / "same", 40_000, seed=2).applicants_path).to_table()
    moved = generate(tmp_path / "moved", 40_000, seed=3, drift=1.0)
    shifted = ds.dataset(moved.applicants_path).to_table()
    assert not drift_report(base, same, ["income", "loan_amount"]).alert
    report = drift_report(base, shifted, ["income", "loan_amount"])
    assert report.alert
    assert report.drifted_features == ["income"]
    assert "DRIFT ALERT" in report.message()


def test_does_a_machine_without_java_get_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without Java, is the error a sentence naming what to install, not a JVM gateway trace?"""
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setattr("shutil.which", lambda name: None)
    with pytest.raises(RuntimeError, match="default-jre-headless"):
        session.make_spark()
