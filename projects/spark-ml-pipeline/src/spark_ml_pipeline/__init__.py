"""Spark ETL, a Delta feature table, pyspark.ml training with MLflow, batch scoring and drift."""

__version__ = "0.1.0"
