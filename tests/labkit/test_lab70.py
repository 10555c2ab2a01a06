"""Tests for lab70's checks: the master's answers pass, plausible wrong gates fail."""

from __future__ import annotations

import json
import math
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from labkit.checks import GRADING_ENV
from labkit.checks import lab70 as check

MASTER = Path(__file__).resolve().parents[2] / "solutions/07-mlops/lab70-promotion-gate.ipynb"


@pytest.fixture(autouse=True)
def _local(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Run as a learner does, and silence SQLAlchemy 2.1's deprecations inside MLflow."""
    monkeypatch.delenv(GRADING_ENV, raising=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        yield


@pytest.fixture(scope="module")
def master() -> dict[str, Any]:
    """The master's answer functions, run from its answer cells (no copy in this file)."""
    from mlflow import MlflowClient
    from mlflow.exceptions import MlflowException

    namespace: dict[str, Any] = {
        "math": math, "Any": Any, "MlflowClient": MlflowClient,
        "MlflowException": MlflowException, "CHAMPION": check.CHAMPION,
        "PRODUCTION": check.PRODUCTION,
    }  # fmt: skip
    cells = json.loads(MASTER.read_text(encoding="utf-8"))["cells"]
    for cell in cells:
        source = "".join(cell["source"])
        if cell["cell_type"] == "code" and source.startswith("# Q"):
            exec(compile(source, str(MASTER), "exec"), namespace)
    return namespace


def _names(master: dict[str, Any], *names: str) -> list[Callable[..., Any]]:
    return [master[name] for name in names]


def test_do_the_master_answers_pass_every_case_grading_ones_included(
    master: dict[str, Any],
) -> None:
    for question, name in [(check.q1, "log_evaluation"), (check.q2, "promote_if_passes"),
                           (check.q3, "rollback"), (check.q4, "promote_prompt")]:  # fmt: skip
        feedback = question.evaluate(master[name], grading_only=True)
        assert feedback.passed, str(feedback)


def test_does_a_gate_that_ignores_the_champion_fail_with_golden_feedback(
    master: dict[str, Any],
) -> None:
    def thresholds_only(
        client: Any, name: str, version: int, gates: dict[str, float], approved_by: str
    ) -> bool:
        metrics = client.get_run(client.get_model_version(name, str(version)).run_id).data.metrics
        if all(metrics[metric] >= threshold for metric, threshold in gates.items()):
            client.set_model_version_tag(name, str(version), "approval", "approved")
            client.set_model_version_tag(name, str(version), "approved_by", approved_by)
            client.set_registered_model_alias(name, check.CHAMPION, str(version))
            return True
        client.set_model_version_tag(name, str(version), "approval", "rejected")
        client.set_model_version_tag(name, str(version), "rejection_reason", ",".join(gates))
        return False

    feedback = str(check.q2.evaluate(thresholds_only))
    assert feedback.splitlines()[0] == (
        "lab70.q2 promote_if_passes: 2/5 local cases passed (2/5 pts) + 2 grading-only cases "
        "(2 pts) not run here"
    )
    assert (
        "  ✗ blocks a version worse than the champion even when it passes the thresholds: "
        "expected the result to return False, got True\n"
        "    hint: read the champion's metrics from its run: client.get_run(version.run_id)"
    ) in feedback


def test_does_logging_before_validating_fail_for_the_run_it_leaves_behind() -> None:
    def careless(
        client: Any, experiment_id: str, params: dict[str, Any], metrics: dict[str, float]
    ) -> str:
        run_id: str = client.create_run(experiment_id).info.run_id
        for key, value in metrics.items():
            if not math.isfinite(value):
                raise ValueError(f"metric {key!r} is not finite")
            client.log_metric(run_id, key, value)
        return run_id

    feedback = check.q1.evaluate(careless)
    lines = str(feedback).splitlines()
    assert lines[1].startswith("  ✗ logs every param and metric to a finished run")
    assert lines[2].startswith("  ✗ rejects a metric that is not a finite number")
    assert "the number of runs left behind by bad input to return 0, got 1" in lines[2]


def test_does_a_rollback_that_forgets_the_audit_tag_fail(master: dict[str, Any]) -> None:
    def untagged(client: Any, name: str) -> int:
        current = client.get_model_version_by_alias(name, check.CHAMPION)
        previous = current.tags["previous_champion"]
        client.set_registered_model_alias(name, check.CHAMPION, previous)
        return int(previous)

    feedback = check.q3.evaluate(untagged)
    assert not feedback.passed
    assert "expected version 2's 'rolled_back' tag to return 'true', got None" in str(feedback)
    # A bare KeyError is a LookupError, but its message does not say which model.
    assert "expected the LookupError message to name 'lab70-alone'" in str(feedback)


def test_does_a_prompt_gate_that_skips_production_fail_the_regression_case() -> None:
    def thresholds_only(
        client: Any, name: str, version: int, gates: dict[str, float], approved_by: str
    ) -> bool:
        tags = client.get_prompt_version(name, version).tags
        if all(float(tags[f"eval.{m}"]) >= t for m, t in gates.items()):
            client.set_prompt_alias(name, check.PRODUCTION, version)
            return True
        return False

    results = {r.case.name: r for r in check.q4.evaluate(thresholds_only).results}
    assert not results["blocks a prompt that regresses against production"].passed
    assert not results[
        "raises LookupError naming an unknown prompt, ValueError naming a missing score"
    ].passed
