"""The gate's rules, pure: thresholds, no regression against the champion, clear errors."""

from __future__ import annotations

import pytest

from mlflow_cicd.gate import failed_gates

GATES = {"accuracy": 0.8, "macro_f1": 0.75}


def test_does_a_first_candidate_above_every_threshold_pass() -> None:
    assert failed_gates({"accuracy": 0.85, "macro_f1": 0.8}, None, GATES) == []


def test_does_a_candidate_under_a_threshold_fail_naming_the_metric() -> None:
    failures = failed_gates({"accuracy": 0.95, "macro_f1": 0.7}, None, GATES)
    assert failures == ["macro_f1 0.7000 < threshold 0.7500"]


def test_is_a_candidate_worse_than_the_champion_blocked_even_above_thresholds() -> None:
    failures = failed_gates({"accuracy": 0.88, "macro_f1": 0.9}, {"accuracy": 0.9}, GATES)
    assert failures == ["accuracy 0.8800 < champion 0.9000"]


def test_does_a_tie_with_the_champion_pass() -> None:
    same = {"accuracy": 0.9, "macro_f1": 0.85}
    assert failed_gates(same, dict(same), GATES) == []


def test_does_a_missing_metric_raise_a_clear_error() -> None:
    with pytest.raises(ValueError, match=r"no metric\(s\) \['macro_f1'\]"):
        failed_gates({"accuracy": 0.9}, None, GATES)
