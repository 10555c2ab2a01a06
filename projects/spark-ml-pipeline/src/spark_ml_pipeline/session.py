"""A small, quiet SparkSession for a laptop, and a stopwatch for Spark jobs."""

from __future__ import annotations

import os
import shutil
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

from pyspark.sql import SparkSession

LOCAL_CONF = {
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.shuffle.partitions": "4",
    "spark.default.parallelism": "2",
    "spark.driver.memory": "1g",
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.parquet.outputTimestampType": "TIMESTAMP_MICROS",
    "spark.sql.execution.arrow.pyspark.enabled": "false",
}


def make_spark(master: str | None = None, app_name: str = "spark-ml-pipeline") -> SparkSession:
    """Start (or reuse) a SparkSession tuned for two cores and small data.

    ``master`` defaults to ``SPARK_MASTER`` or ``local[2]``. Under ``spark-submit`` pass
    ``master=None`` and set no ``SPARK_MASTER``: the cluster's master and conf then win,
    because ``getOrCreate`` only fills in what ``spark-submit`` did not set.

    Args:
        master: A Spark master URL such as ``local[2]``; ``None`` reads ``SPARK_MASTER``.
        app_name: Name shown in the Spark UI and the cluster manager.

    Returns:
        The active session, with the log level set to ERROR.

    Raises:
        RuntimeError: No Java was found, so no JVM could start.

    """
    if not (os.environ.get("JAVA_HOME") or shutil.which("java")):
        raise RuntimeError(
            "Spark needs Java 17 or newer and none was found (no JAVA_HOME, no `java` on PATH): "
            "install it (Debian: sudo apt-get install default-jre-headless; macOS: brew install "
            "openjdk@17) and try again"
        )
    builder = SparkSession.builder.appName(app_name)
    chosen = master or os.environ.get("SPARK_MASTER")
    if chosen is None and "SPARK_ENV_LOADED" not in os.environ:
        chosen = "local[2]"
    if chosen is not None:
        builder = builder.master(chosen)
        for key, value in LOCAL_CONF.items():
            builder = builder.config(key, value)
    os.environ.setdefault("PYARROW_IGNORE_TIMEZONE", "1")
    with warnings.catch_warnings():
        # pyspark 4.3 warns that pandas 3 is not fully supported; this package never
        # converts to pandas (it exchanges data as Parquet/Arrow), so the warning is noise.
        warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas")
        spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark


@contextmanager
def stopwatch(timings: dict[str, float], name: str) -> Iterator[None]:
    """Record the wall time of the block in ``timings[name]`` (seconds).

    Example:
        >>> timings: dict[str, float] = {}
        >>> with stopwatch(timings, "nothing"):
        ...     pass
        >>> timings["nothing"] >= 0
        True

    """
    start = time.perf_counter()
    try:
        yield
    finally:
        timings[name] = time.perf_counter() - start
