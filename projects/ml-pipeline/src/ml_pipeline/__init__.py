"""A reproducible tabular ML pipeline: train with a fixed seed, evaluate, report."""

from ml_pipeline.pipeline import Config, RunResult, run

__all__ = ["Config", "RunResult", "run"]
