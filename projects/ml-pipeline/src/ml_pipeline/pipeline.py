"""Load a CSV (hashing it), split by group, train a pipeline, evaluate it, write the report."""

from __future__ import annotations

import hashlib
import json
import platform
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import sklearn
from fairlearn.metrics import MetricFrame
from sklearn.calibration import CalibratedClassifierCV
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import accuracy_score, brier_score_loss, roc_auc_score
from sklearn.model_selection import GroupKFold, GroupShuffleSplit
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder

from ml_pipeline.report import write_report


@dataclass(frozen=True)
class Config:
    """What to train on and how; every field is recorded in the run's metrics.json.

    Example:
        >>> Config(target="defaulted", group="applicant_id", segment="region").seed
        0
    """

    target: str = "defaulted"
    group: str = "applicant_id"
    segment: str = "region"
    numeric: tuple[str, ...] = (
        "age",
        "income",
        "employment_years",
        "credit_score",
        "loan_amount",
        "term_months",
        "debt_to_income",
    )
    categorical: tuple[str, ...] = ("region", "home_ownership", "purpose")
    test_size: float = 0.25
    seed: int = 0
    max_iter: int = 150
    learning_rate: float = 0.05


@dataclass
class RunResult:
    """What one run produced: its metrics and where it wrote them."""

    metrics: dict[str, Any]
    out_dir: Path
    files: list[Path] = field(default_factory=list)


def sha256_of(path: Path) -> str:
    """Return the file's sha256, so a report names exactly the data it came from."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def load(path: Path, config: Config) -> pd.DataFrame:
    """Read the CSV and check it has every column the config names.

    Raises:
        FileNotFoundError: The file does not exist.
        ValueError: Columns are missing, or the target is not 0/1.
    """
    if not path.is_file():
        raise FileNotFoundError(f"no data file at {path}; pass --data PATH to a CSV")
    frame = pd.read_csv(path)
    needed = {config.target, config.group, config.segment, *config.numeric, *config.categorical}
    missing = sorted(needed - set(frame.columns))
    if missing:
        raise ValueError(f"{path.name} lacks the columns {missing}; fix the data or the config")
    if not set(frame[config.target].unique()) <= {0, 1}:
        raise ValueError(f"target {config.target!r} must hold only 0 and 1")
    return frame


def build_model(config: Config) -> Pipeline:
    """Return the unfitted pipeline: one-hot categories, boosting, sigmoid calibration."""
    encode = ColumnTransformer(
        [
            (
                "categorical",
                OneHotEncoder(handle_unknown="ignore", sparse_output=False),
                list(config.categorical),
            )
        ],
        remainder="passthrough",
    )
    boosting = HistGradientBoostingClassifier(
        max_iter=config.max_iter, learning_rate=config.learning_rate, random_state=config.seed
    )
    return Pipeline([("encode", encode), ("model", boosting)])


def expected_calibration_error(y_true: np.ndarray, y_prob: np.ndarray, n_bins: int = 10) -> float:
    """Return the size-weighted mean gap between prediction and outcome over equal-width bins."""
    bins = np.minimum((y_prob * n_bins).astype(int), n_bins - 1)
    total = 0.0
    for b in np.unique(bins):
        inside = bins == b
        total += float(inside.mean() * abs(y_prob[inside].mean() - y_true[inside].mean()))
    return total


def run(data: Path, out_dir: Path, config: Config | None = None) -> RunResult:
    """Train and evaluate once; write metrics.json, plots and report.md under ``out_dir``.

    The same data, config and library versions give the same metrics, byte for byte.
    """
    config = config or Config()
    frame = load(data, config)
    features = [*config.numeric, *config.categorical]
    splitter = GroupShuffleSplit(n_splits=1, test_size=config.test_size, random_state=config.seed)
    train_idx, test_idx = next(splitter.split(frame, groups=frame[config.group]))
    train, test = frame.iloc[train_idx], frame.iloc[test_idx]
    folds = list(GroupKFold(3).split(train, groups=train[config.group]))
    model = CalibratedClassifierCV(build_model(config), method="sigmoid", cv=folds)
    model.fit(train[features], train[config.target])

    y_true = test[config.target].to_numpy()
    y_prob = model.predict_proba(test[features])[:, 1]
    per_segment = MetricFrame(
        metrics={
            "count": lambda t, p: float(len(t)),
            "roc_auc": roc_auc_score,
            "brier": brier_score_loss,
        },
        y_true=y_true,
        y_pred=y_prob,
        sensitive_features=test[config.segment].to_numpy(),
    ).by_group
    metrics: dict[str, Any] = {
        "data": {"file": data.name, "sha256": sha256_of(data), "rows": len(frame)},
        "config": asdict(config),
        "split": {"train_rows": len(train), "test_rows": len(test), "by": config.group},
        "global": {
            "roc_auc": round(float(roc_auc_score(y_true, y_prob)), 6),
            "brier": round(float(brier_score_loss(y_true, y_prob)), 6),
            "ece": round(expected_calibration_error(y_true, y_prob), 6),
            "accuracy_at_0.5": round(float(accuracy_score(y_true, y_prob >= 0.5)), 6),
            "base_rate": round(float(y_true.mean()), 6),
        },
        "per_segment": {
            str(name): {key: round(float(value), 6) for key, value in row.items()}
            for name, row in per_segment.iterrows()
        },
        "versions": {
            "python": platform.python_version(),
            "scikit-learn": sklearn.__version__,
            "numpy": np.__version__,
            "pandas": pd.__version__,
        },
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    metrics_path = out_dir / "metrics.json"
    metrics_path.write_text(json.dumps(metrics, indent=2, sort_keys=True) + "\n")
    files = [metrics_path, *write_report(metrics, y_true, y_prob, out_dir)]
    return RunResult(metrics=metrics, out_dir=out_dir, files=files)
