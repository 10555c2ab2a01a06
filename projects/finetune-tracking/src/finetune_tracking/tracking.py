"""Write a run's figures, model card and metrics to a folder, and to MLflow when asked."""

from __future__ import annotations

import json
from pathlib import Path

from finetune_tracking.train import RunResult, TrainConfig


def model_card(result: RunResult, config: TrainConfig) -> str:
    """Return a short model card in Markdown: what the model is for, how it did, its limits."""
    return f"""# Ticket classifier: MiniLM, {result.mode} fine-tuning

## Intended use
Route customer support tickets to one of: {", ".join(result.label_names)}.
A first triage suggestion for a human agent, not an automatic decision.

## Training
- Base encoder: `{config.model_path.name}` (sentence-transformers MiniLM-L6, 384-d).
- Method: {result.mode} fine-tuning; {result.trainable_params:,} of {result.total_params:,}
  parameters trained.
- {result.train_size} training tickets, {result.epochs} epoch(s), learning rate {config.lr},
  batch size {config.batch_size}, seed {config.seed}, device {result.device_name}.

## Evaluation
- Accuracy on {result.test_size} held-out tickets: {result.accuracy:.3f}.

## Limitations
- Trained on synthetic English tickets; accuracy on real traffic, other languages or new
  categories is unknown until measured.
- Smoke-sized runs are for checking the pipeline, not for deciding between methods.
"""


def write_outputs(result: RunResult, config: TrainConfig, out_dir: Path) -> list[Path]:
    """Write ``metrics.json``, ``model_card.md`` and ``losses.json`` under ``out_dir/mode``."""
    folder = out_dir / result.mode
    folder.mkdir(parents=True, exist_ok=True)
    files = {
        "metrics.json": json.dumps(result.to_dict(), indent=2),
        "model_card.md": model_card(result, config),
        "losses.json": json.dumps(result.losses),
    }
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return [folder / name for name in files]


def log_to_mlflow(
    result: RunResult, config: TrainConfig, files: list[Path], experiment: str
) -> str:
    """Log params, per-step losses, final metrics and the files as artifacts; return the run id.

    MLflow is imported here, not at module level, so training runs where it is not installed.
    The tracking URI comes from ``MLFLOW_TRACKING_URI`` as usual.
    """
    import mlflow

    mlflow.set_experiment(experiment)
    with mlflow.start_run(run_name=f"{result.mode}-{result.device}") as run:
        mlflow.log_params(
            {
                "mode": result.mode,
                "device": result.device_name,
                "epochs": config.epochs,
                "batch_size": config.batch_size,
                "learning_rate": config.lr,
                "max_length": config.max_length,
                "seed": config.seed,
                "train_size": result.train_size,
                "model": config.model_path.name,
            }
        )
        for step, loss in enumerate(result.losses):
            mlflow.log_metric("train_loss", loss, step=step)
        mlflow.log_metrics(
            {
                "accuracy": result.accuracy,
                "trainable_params": result.trainable_params,
                "seconds_per_epoch": result.seconds_per_epoch,
                "peak_memory_mb": result.peak_memory_mb,
            }
        )
        for path in files:
            mlflow.log_artifact(str(path))
        run_id: str = run.info.run_id
    return run_id
