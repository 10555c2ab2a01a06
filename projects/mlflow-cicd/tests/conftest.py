"""Fixtures: one real MLflow tracking store (sqlite) for the session, and a small ticket set."""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from pathlib import Path

import mlflow
import pandas as pd
import pytest
from mlflow import MlflowClient

from mlflow_cicd.pipeline import load_tickets

_names = itertools.count(1)


def _tickets_csv() -> Path:
    for folder in Path(__file__).resolve().parents:
        candidate = folder / "data" / "support_tickets.csv"
        if candidate.is_file():
            return candidate
    pytest.skip("data/support_tickets.csv (from the course repository) is not above this folder")


@pytest.fixture(scope="session")
def tickets() -> pd.DataFrame:
    """The first 600 course support tickets: enough for a real model, fast to train."""
    return load_tickets(_tickets_csv(), limit=600)


@pytest.fixture(scope="session")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MlflowClient]:
    """An ``MlflowClient`` on an sqlite store in a temporary folder; the fluent API uses it too."""
    folder = tmp_path_factory.mktemp("mlflow")
    uri = f"sqlite:///{folder / 'mlflow.db'}"
    previous, cwd = mlflow.get_tracking_uri(), Path.cwd()
    os.chdir(folder)  # an sqlite store keeps artifacts in ./mlruns: keep them in the temp folder
    mlflow.set_tracking_uri(uri)
    mlflow.set_registry_uri(uri)
    yield MlflowClient(tracking_uri=uri, registry_uri=uri)
    mlflow.set_tracking_uri(previous)
    os.chdir(cwd)


@pytest.fixture
def model_name() -> str:
    """A registered-model name no other test uses."""
    return f"ticket-router-{next(_names)}"
