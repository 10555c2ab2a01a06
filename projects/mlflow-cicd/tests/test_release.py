"""Train, register, gate, promote, serve and roll back against a real MLflow store."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from mlflow import MlflowClient

from mlflow_cicd.__main__ import BLOCKED, main
from mlflow_cicd.gate import DEFAULT_GATES, champion_version, promote_if_passes, rollback
from mlflow_cicd.pipeline import TrainParams, load_tickets, train_and_register
from mlflow_cicd.serve import ChampionHolder, create_app

WEAK = TrainParams(c=0.05, max_features=8)


def _release(tickets: pd.DataFrame, name: str, params: TrainParams | None = None) -> int:
    params = params or TrainParams()
    return train_and_register(tickets, params, model_name=name, experiment=name).version


def test_is_a_good_model_promoted_and_served_with_its_version(
    client: MlflowClient, tickets: pd.DataFrame, model_name: str
) -> None:
    version = _release(tickets, model_name)
    run = client.get_run(client.get_model_version(model_name, str(version)).run_id)
    assert run.data.params["max_features"] == "20000"
    assert run.data.metrics["accuracy"] >= DEFAULT_GATES["accuracy"], run.data.metrics
    assert promote_if_passes(client, model_name, version, DEFAULT_GATES, "ci").promoted
    app = TestClient(create_app(ChampionHolder(client, model_name, poll_seconds=0)))
    assert app.get("/health").json() == {"status": "ok", "model": model_name, "version": 1}
    reply = app.post("/predict", json={"texts": ["I was charged twice on my invoice"]})
    assert reply.status_code == 200
    assert reply.json()["version"] == 1
    assert reply.json()["predictions"][0]["label"] == "billing"


def test_is_a_regressed_model_blocked_and_the_champion_kept(
    client: MlflowClient, tickets: pd.DataFrame, model_name: str
) -> None:
    good = _release(tickets, model_name)
    assert promote_if_passes(client, model_name, good, DEFAULT_GATES, "ci").promoted
    weak = _release(tickets, model_name, WEAK)
    decision = promote_if_passes(client, model_name, weak, DEFAULT_GATES, "ci")
    assert not decision.promoted
    assert decision.failures
    assert all("accuracy" in f or "macro_f1" in f for f in decision.failures)
    assert champion_version(client, model_name) == good
    assert client.get_model_version(model_name, str(weak)).tags["approval"] == "rejected"


def test_does_the_server_follow_a_promotion_and_a_rollback_without_restarting(
    client: MlflowClient, tickets: pd.DataFrame, model_name: str
) -> None:
    first = _release(tickets, model_name, TrainParams(c=8.0))
    promote_if_passes(client, model_name, first, DEFAULT_GATES, "ci")
    app = TestClient(create_app(ChampionHolder(client, model_name, poll_seconds=0)))
    assert app.get("/health").json()["version"] == first
    second = _release(tickets, model_name, TrainParams(c=1.0))
    assert promote_if_passes(client, model_name, second, DEFAULT_GATES, "ci").promoted
    assert app.get("/health").json()["version"] == second
    assert rollback(client, model_name) == first
    assert app.post("/predict", json={"texts": ["where is my parcel"]}).json()["version"] == first
    assert client.get_model_version(model_name, str(second)).tags["rolled_back"] == "true"


def test_does_the_api_answer_503_without_a_champion_and_422_for_bad_input(
    client: MlflowClient, model_name: str
) -> None:
    client.create_registered_model(model_name)
    app = TestClient(create_app(ChampionHolder(client, model_name, poll_seconds=0)))
    assert app.get("/health").status_code == 503
    assert "no 'champion' alias" in app.get("/health").json()["detail"]
    assert app.post("/predict", json={"texts": []}).status_code == 422
    assert app.post("/predict", json={"texts": [""]}).status_code == 422


def test_does_rollback_refuse_when_there_is_nothing_to_roll_back_to(
    client: MlflowClient, tickets: pd.DataFrame, model_name: str
) -> None:
    with pytest.raises(LookupError, match="no registered model"):
        rollback(client, model_name)
    version = _release(tickets, model_name)
    promote_if_passes(client, model_name, version, DEFAULT_GATES, "ci")
    with pytest.raises(LookupError, match="replaced nothing"):
        rollback(client, model_name)


def test_does_the_cli_exit_3_when_the_gate_blocks_and_2_for_a_missing_file(
    client: MlflowClient, tickets: pd.DataFrame, tmp_path: Path, model_name: str
) -> None:
    csv = tmp_path / "tickets.csv"
    tickets.to_csv(csv, index=False)
    base = ["--model-name", model_name, "release", "--data", str(csv)]
    assert main(base) == 0
    assert main([*base, "--c", "0.05", "--max-features", "8"]) == BLOCKED
    assert main(["--model-name", model_name, "release", "--data", str(tmp_path / "no.csv")]) == 2
    pd.DataFrame({"body": ["x"]}).to_csv(csv, index=False)
    with pytest.raises(ValueError, match="no column"):
        load_tickets(csv)
