"""Load tickets, train and evaluate the router, log it to MLflow as a pyfunc and register it."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import mlflow
import pandas as pd
import sklearn
from mlflow.models import infer_signature
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import train_test_split

from mlflow_cicd.model import TicketRouter, build_pipeline

PACKAGE_DIR = Path(__file__).resolve().parent
REQUIRED_COLUMNS = ("text", "category")


@dataclass(frozen=True)
class TrainParams:
    """Hyper-parameters of one training run; all of them are logged."""

    c: float = 4.0
    max_features: int = 20_000
    test_size: float = 0.25
    seed: int = 0


@dataclass(frozen=True)
class TrainResult:
    """What a training run produced: where it is logged and how it scored."""

    run_id: str
    model_uri: str
    version: int
    metrics: dict[str, float]


def load_tickets(path: Path, limit: int | None = None) -> pd.DataFrame:
    """Read the support tickets CSV (``text`` and ``category`` columns).

    Raises:
        FileNotFoundError: The file is missing; the message says where it looked.
        ValueError: A required column is missing.

    """
    if not path.is_file():
        raise FileNotFoundError(f"no tickets CSV at {path}: pass --data path/to/tickets.csv")
    tickets = pd.read_csv(path)
    missing = [column for column in REQUIRED_COLUMNS if column not in tickets.columns]
    if missing:
        raise ValueError(f"{path} has no column(s) {missing}; expected {list(REQUIRED_COLUMNS)}")
    tickets = tickets.loc[:, list(REQUIRED_COLUMNS)].dropna()
    return tickets.head(limit) if limit else tickets


def train_and_register(
    tickets: pd.DataFrame, params: TrainParams, *, model_name: str, experiment: str
) -> TrainResult:
    """Train on a stratified split, log params, metrics and the pyfunc, register a version.

    The tracking and registry URIs come from ``mlflow.set_tracking_uri`` or
    ``MLFLOW_TRACKING_URI``. Requirements are pinned to the versions installed now, and the
    package's code ships with the model (``code_paths``), so the model loads anywhere.
    """
    train, test = train_test_split(
        tickets, test_size=params.test_size, random_state=params.seed, stratify=tickets["category"]
    )
    pipeline = build_pipeline(params.c, params.max_features, params.seed)
    pipeline.fit(train["text"], train["category"])
    router = TicketRouter(pipeline)
    started = time.perf_counter()
    predicted = router.predict(None, test[["text"]])
    seconds = time.perf_counter() - started
    metrics = {
        "accuracy": float(accuracy_score(test["category"], predicted["label"])),
        "macro_f1": float(f1_score(test["category"], predicted["label"], average="macro")),
        "ms_per_ticket": 1000 * seconds / len(test),
    }
    example = test[["text"]].head(3).reset_index(drop=True)
    mlflow.set_experiment(experiment)
    with mlflow.start_run() as run:
        mlflow.log_params({**params.__dict__, "train_rows": len(train), "test_rows": len(test)})
        mlflow.log_metrics(metrics)
        info = mlflow.pyfunc.log_model(
            name="model",
            python_model=router,
            signature=infer_signature(example, router.predict(None, example)),
            input_example=example,
            pip_requirements=[
                f"mlflow=={mlflow.__version__}",
                f"scikit-learn=={sklearn.__version__}",
                f"pandas=={pd.__version__}",
            ],
            code_paths=[str(PACKAGE_DIR)],
        )
    version = mlflow.register_model(info.model_uri, model_name)
    return TrainResult(run.info.run_id, info.model_uri, int(version.version), metrics)
