"""Write the Markdown report: metrics, a reliability diagram, per-segment scores, a model card."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from sklearn.calibration import calibration_curve
from sklearn.metrics import roc_curve


def _plots(y_true: np.ndarray, y_prob: np.ndarray, out_dir: Path) -> Path:
    figure, (roc_ax, cal_ax) = plt.subplots(1, 2, figsize=(9, 3.8))
    fpr, tpr, _ = roc_curve(y_true, y_prob)
    roc_ax.plot(fpr, tpr)
    roc_ax.plot([0, 1], [0, 1], ":", color="grey")
    roc_ax.set(xlabel="false positive rate", ylabel="true positive rate", title="ROC")
    observed, predicted = calibration_curve(y_true, y_prob, n_bins=8, strategy="quantile")
    cal_ax.plot([0, 1], [0, 1], ":", color="grey")
    cal_ax.plot(predicted, observed, "o-")
    cal_ax.set(xlabel="mean predicted", ylabel="observed rate", title="Reliability diagram")
    figure.tight_layout()
    path = out_dir / "evaluation.png"
    figure.savefig(path, dpi=80, metadata={"Software": None})
    plt.close(figure)
    return path


def _table(rows: dict[str, dict[str, float]]) -> list[str]:
    columns = list(next(iter(rows.values())))
    lines = ["| segment | " + " | ".join(columns) + " |", "|---" * (len(columns) + 1) + "|"]
    for name, row in rows.items():
        lines.append(f"| {name} | " + " | ".join(f"{row[c]:.3f}" for c in columns) + " |")
    return lines


def write_report(
    metrics: dict[str, Any], y_true: np.ndarray, y_prob: np.ndarray, out_dir: Path
) -> list[Path]:
    """Write ``report.md`` and its plot; return their paths."""
    plot = _plots(y_true, y_prob, out_dir)
    scores, config, data = metrics["global"], metrics["config"], metrics["data"]
    worst = min(metrics["per_segment"], key=lambda s: metrics["per_segment"][s]["roc_auc"])
    lines = [
        "# Evaluation report",
        "",
        f"Data: `{data['file']}` ({data['rows']} rows), sha256 `{data['sha256']}`.",
        f"Split by `{metrics['split']['by']}`: {metrics['split']['train_rows']} train rows, "
        f"{metrics['split']['test_rows']} test rows; seed {config['seed']}.",
        "",
        "## Global metrics",
        "",
        "| metric | value |",
        "|---|---|",
        *(f"| {name} | {value:.4f} |" for name, value in scores.items()),
        "",
        f"![ROC and reliability diagram]({plot.name})",
        "",
        f"## Per `{config['segment']}`",
        "",
        *_table(metrics["per_segment"]),
        "",
        "## Model card",
        "",
        "- **Model:** one-hot encoding and HistGradientBoostingClassifier "
        f"(learning rate {config['learning_rate']}, {config['max_iter']} iterations), "
        "calibrated with a sigmoid on group folds.",
        f"- **Intended use:** rank and price the risk of `{config['target']}` at application "
        "time, with a person reviewing declines. Not for fully automated decisions.",
        f"- **Features:** {', '.join(config['numeric'] + config['categorical'])}. Nothing "
        "recorded after the application (no target leakage).",
        f"- **Evaluation:** held-out groups never seen in training; weakest segment: `{worst}`.",
        "- **Limitations:** trained on one period; re-evaluate under covariate shift (new "
        "channels, new regions) before relying on the probabilities there.",
        "- **Leakage checklist:** target-derived columns excluded; split by group; every "
        "fitted step inside the pipeline.",
        f"- **Versions:** {', '.join(f'{k} {v}' for k, v in metrics['versions'].items())}.",
        "",
    ]
    report = out_dir / "report.md"
    report.write_text("\n".join(lines))
    return [plot, report]
