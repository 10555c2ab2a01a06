"""Spark ETL: a data-quality gate, then point-in-time features per applicant."""

from __future__ import annotations

from dataclasses import dataclass
from functools import reduce
from pathlib import Path

from pyspark.sql import Column, DataFrame, SparkSession, Window
from pyspark.sql import functions as F

FEATURE_COLUMNS = (
    "age",
    "income",
    "loan_amount",
    "employment_years",
    "debt_to_income",
    "txn_count",
    "amount_mean",
    "amount_std",
    "amount_max",
    "late_share",
    "mean_gap_days",
    "max_spend_30d",
    "n_categories",
)
LABEL_COLUMN = "defaulted"
SECONDS_PER_DAY = 86_400


class DataQualityError(ValueError):
    """Raised when a batch breaks a data-quality rule; nothing downstream is written."""


@dataclass(frozen=True)
class RuleResult:
    """One data-quality rule and how many rows broke it.

    Attributes:
        rule: What the rule demands, in words.
        failed_rows: Rows that break it.
        examples: Up to five offending ids, to find them quickly.

    """

    rule: str
    failed_rows: int
    examples: tuple[int, ...]


def read_raw(spark: SparkSession, *raw_dirs: Path | str) -> tuple[DataFrame, DataFrame]:
    """Read applicants and partitioned transactions written by :func:`data.generate`.

    Several folders are read as one batch (one Spark scan), e.g. a day's landing zone that
    holds late applications and new ones.

    Args:
        spark: The session.
        raw_dirs: Folders (or object-store URIs such as ``s3a://bucket/raw``) that each hold
            ``applicants/`` and ``transactions/``.

    Returns:
        ``(transactions, applicants)``.

    """
    if not raw_dirs:
        raise ValueError("read_raw needs at least one folder")
    roots = [str(raw_dir).rstrip("/") for raw_dir in raw_dirs]
    # Spark infers hive partitions from ONE root only, so each folder is read on its own and
    # the plans are unioned (lazily: still a single scan per job).
    transactions = reduce(
        DataFrame.unionByName, [spark.read.parquet(f"{root}/transactions") for root in roots]
    )
    applicants = reduce(
        DataFrame.unionByName, [spark.read.parquet(f"{root}/applicants") for root in roots]
    )
    return transactions, applicants


def check_quality(transactions: DataFrame, applicants: DataFrame) -> list[RuleResult]:
    """Check the batch and raise if any row breaks a rule, naming every broken rule.

    A clean batch costs TWO Spark jobs: one aggregation over the transactions (left-joined
    to the applicant ids, so orphans are counted in the same pass, and duplicates come from
    ``count - count distinct``) and one over the applicants. Example ids are fetched only
    for rules that failed.

    Args:
        transactions: Raw transactions.
        applicants: Raw applications.

    Returns:
        Every rule with zero failures, when the batch is clean.

    Raises:
        DataQualityError: Listing each broken rule, its count and example ids.

    """
    known = applicants.select("applicant_id", F.lit(True).alias("_known"))
    txns = transactions.join(known, "applicant_id", "left")
    txn_rules: dict[str, Column] = {
        "txn applicant_id is not null": F.col("applicant_id").isNull(),
        "txn ts is not null": F.col("ts").isNull(),
        "txn amount is > 0 and not null": F.col("amount").isNull() | (F.col("amount") <= 0),
        "txn applicant_id exists in applicants": F.col("_known").isNull(),
    }
    app_rules: dict[str, Column] = {
        "applicant income is > 0": F.col("income").isNull() | (F.col("income") <= 0),
        "applicant loan_amount is > 0": F.col("loan_amount").isNull() | (F.col("loan_amount") <= 0),
        "applicant label is 0 or 1": ~F.col("defaulted").isin(0, 1),
    }
    duplicates = F.count("*") - F.count_distinct("txn_id")
    results = _count_failures(txns, txn_rules, "txn_id", {"txn_id is unique": duplicates})
    unique_ids = {"applicant_id is unique": F.count("*") - F.count_distinct("applicant_id")}
    results += _count_failures(applicants, app_rules, "applicant_id", unique_ids)
    broken = [r for r in results if r.failed_rows]
    if broken:
        lines = [f"- {r.rule}: {r.failed_rows} rows (e.g. ids {list(r.examples)})" for r in broken]
        raise DataQualityError(
            f"data-quality gate failed on {len(broken)} rule(s); nothing was written:\n"
            + "\n".join(lines)
            + "\nFix or quarantine these rows upstream, then rerun the job."
        )
    return results


def _count_failures(
    frame: DataFrame, rules: dict[str, Column], id_column: str, totals: dict[str, Column]
) -> list[RuleResult]:
    """Count each row rule's failures (and each aggregate rule's total) in one job."""
    names = [*rules, *totals]
    counts = frame.agg(
        *[F.sum(rule.cast("int")).alias(f"_r{i}") for i, rule in enumerate(rules.values())],
        *[total.alias(f"_r{len(rules) + i}") for i, total in enumerate(totals.values())],
    ).first()
    results = []
    for i, name in enumerate(names):
        failed = int((counts[f"_r{i}"] if counts else 0) or 0)
        examples: tuple[int, ...] = ()
        if failed and name in rules:
            offending = frame.where(rules[name]).select(id_column).limit(5).collect()
            examples = tuple(row[id_column] for row in offending)
        elif failed:
            repeated = frame.groupBy(id_column).count().where("count > 1").limit(5).collect()
            examples = tuple(row[id_column] for row in repeated)
        results.append(RuleResult(name, failed, examples))
    return results


def build_features(transactions: DataFrame, applicants: DataFrame) -> DataFrame:
    """Aggregate each applicant's transactions BEFORE their application date into features.

    Window functions give per-transaction context (gap since the previous transaction, spend
    in the trailing 30 days); a group-by turns them into one row per applicant; a left join
    keeps applicants without history (their counts are 0).

    Args:
        transactions: Transactions that passed :func:`check_quality`.
        applicants: Applications that passed :func:`check_quality`.

    Returns:
        One row per applicant: ``applicant_id``, ``application_date``, ``region``,
        :data:`FEATURE_COLUMNS` and ``defaulted``.

    """
    history = transactions.join(
        applicants.select("applicant_id", "application_date"), "applicant_id"
    ).where(F.col("ts") < F.col("application_date").cast("timestamp"))
    epoch = F.col("ts").cast("long")
    by_time = Window.partitionBy("applicant_id").orderBy(epoch)
    trailing_30d = by_time.rangeBetween(-30 * SECONDS_PER_DAY, 0)
    enriched = history.withColumns(
        {
            "gap_days": (epoch - F.lag(epoch).over(by_time)) / SECONDS_PER_DAY,
            "spend_30d": F.sum("amount").over(trailing_30d),
        }
    )
    per_applicant = enriched.groupBy("applicant_id").agg(
        F.count("*").alias("txn_count"),
        F.mean("amount").alias("amount_mean"),
        F.stddev_samp("amount").alias("amount_std"),
        F.max("amount").alias("amount_max"),
        F.mean(F.col("is_late_payment").cast("double")).alias("late_share"),
        F.mean("gap_days").alias("mean_gap_days"),
        F.max("spend_30d").alias("max_spend_30d"),
        F.countDistinct("category").alias("n_categories"),
    )
    features = (
        applicants.join(per_applicant, "applicant_id", "left")
        .withColumn("debt_to_income", F.col("loan_amount") / F.col("income"))
        .fillna(0, subset=[c for c in FEATURE_COLUMNS if c not in applicants.columns])
    )
    return features.select(
        "applicant_id",
        "application_date",
        "region",
        *[F.col(c).cast("double").alias(c) for c in FEATURE_COLUMNS],
        F.col(LABEL_COLUMN).cast("int").alias(LABEL_COLUMN),
    )


def write_features(features: DataFrame, out_dir: Path | str, n_files: int = 2) -> str:
    """Write the features as ``n_files`` Parquet files and return the folder URI.

    Delta is written from these files with delta-rs (see :mod:`spark_ml_pipeline.delta`),
    so Spark needs no Delta jar locally. On Databricks you would write
    ``features.write.format("delta")`` directly.
    """
    target = str(out_dir)
    features.coalesce(n_files).write.mode("overwrite").parquet(target)
    return target
