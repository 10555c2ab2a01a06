"""Deterministic generator of loan applications and their card transactions, as Parquet."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.dataset as ds

REGIONS = ("north", "south", "east", "west", "centre")
CATEGORIES = ("groceries", "travel", "rent", "utilities", "leisure", "electronics")
START = np.datetime64("2025-01-01T00:00:00", "s")
DAYS = 180
TXNS_PER_APPLICANT = 20


@dataclass(frozen=True)
class GeneratedData:
    """Where a generated dataset lives and how big it is.

    Attributes:
        applicants_path: Parquet folder of loan applications (one row per applicant).
        transactions_path: Parquet folder of transactions, hive-partitioned by ``txn_month``.
        n_applicants: Rows written to ``applicants_path``.
        n_transactions: Rows written to ``transactions_path``.
        bytes_on_disk: Size of both folders together.

    """

    applicants_path: Path
    transactions_path: Path
    n_applicants: int
    n_transactions: int
    bytes_on_disk: int


def generate(
    out_dir: Path,
    n_transactions: int,
    *,
    seed: int = 0,
    drift: float = 0.0,
    first_applicant_id: int = 0,
) -> GeneratedData:
    """Write applicants and transactions to ``out_dir`` as Parquet; same seed, same bytes.

    Each applicant has a hidden late-payment propensity and spending scale; the default label
    depends on them and on debt-to-income, so features built from the transactions can recover
    the signal. ``drift`` in [0, 1] shifts the population the way a recession would: lower
    incomes, bigger spending, more late payments.

    Args:
        out_dir: Folder to create; ``applicants/`` and ``transactions/`` go inside.
        n_transactions: Total transactions; applicants are ``n_transactions // 20``.
        seed: Seed of the NumPy generator.
        drift: Strength of the distribution shift, 0 for the training population.
        first_applicant_id: Id of the first applicant, so that later batches do not collide.

    Returns:
        The paths and row counts written.

    Raises:
        ValueError: If the sizes or the drift are out of range.

    Example:
        >>> import tempfile
        >>> data = generate(Path(tempfile.mkdtemp()), 2_000, seed=1)
        >>> (data.n_applicants, data.n_transactions)
        (100, 2000)

    """
    if n_transactions < TXNS_PER_APPLICANT:
        raise ValueError(f"n_transactions must be >= {TXNS_PER_APPLICANT}, got {n_transactions}")
    if not 0.0 <= drift <= 1.0:
        raise ValueError(f"drift must be in [0, 1], got {drift}")
    rng = np.random.default_rng(seed)
    n_applicants = n_transactions // TXNS_PER_APPLICANT
    n_transactions = n_applicants * TXNS_PER_APPLICANT
    applicant_ids = np.arange(first_applicant_id, first_applicant_id + n_applicants)

    late_propensity = rng.beta(1.2 + 1.5 * drift, 12.0, n_applicants)
    spend_scale = rng.lognormal(3.6 + 0.4 * drift, 0.5, n_applicants)
    income = np.round(rng.lognormal(10.6 - 0.25 * drift, 0.4, n_applicants), 2)
    loan_amount = np.round(rng.lognormal(9.3, 0.6, n_applicants), 2)
    employment_years = np.round(rng.gamma(2.0, 3.0, n_applicants), 1)
    age = rng.integers(21, 70, n_applicants)
    region = rng.choice(np.array(REGIONS), n_applicants)
    application_offset = rng.integers(120, DAYS, n_applicants)
    application_date = (START + application_offset * 86_400).astype("datetime64[D]")
    risk = (
        -3.0
        + 2.2 * (loan_amount / income)
        + 14.0 * late_propensity
        + 0.4 * np.log(spend_scale / 36.0)
        - 0.06 * employment_years
    )
    defaulted = (rng.random(n_applicants) < 1.0 / (1.0 + np.exp(-risk))).astype(np.int8)

    owner = np.repeat(np.arange(n_applicants), TXNS_PER_APPLICANT)
    seconds = rng.integers(0, DAYS * 86_400, n_transactions)
    timestamps = START + seconds
    amount = np.round(rng.lognormal(np.log(spend_scale[owner]), 0.7), 2)
    late = rng.random(n_transactions) < late_propensity[owner]
    category = rng.choice(np.array(CATEGORIES), n_transactions)

    applicants = pa.table(
        {
            "applicant_id": pa.array(applicant_ids, pa.int64()),
            "application_date": pa.array(application_date, pa.date32()),
            "age": pa.array(age, pa.int32()),
            "income": income,
            "loan_amount": loan_amount,
            "employment_years": employment_years,
            "region": region.astype(str),
            "defaulted": pa.array(defaulted, pa.int32()),
        }
    )
    transactions = pa.table(
        {
            "txn_id": pa.array(
                np.arange(n_transactions) + first_applicant_id * TXNS_PER_APPLICANT, pa.int64()
            ),
            "applicant_id": pa.array(applicant_ids[owner], pa.int64()),
            "ts": pa.array(timestamps.astype("datetime64[us]"), pa.timestamp("us", tz="UTC")),
            "amount": amount,
            "category": category.astype(str),
            "is_late_payment": late,
            "txn_month": np.datetime_as_string(timestamps, unit="M"),
        }
    )
    out_dir = Path(out_dir)
    applicants_path = out_dir / "applicants"
    transactions_path = out_dir / "transactions"
    ds.write_dataset(
        applicants, applicants_path, format="parquet", existing_data_behavior="delete_matching"
    )
    ds.write_dataset(
        transactions,
        transactions_path,
        format="parquet",
        partitioning=["txn_month"],
        partitioning_flavor="hive",
        existing_data_behavior="delete_matching",
    )
    size = sum(p.stat().st_size for p in out_dir.rglob("*.parquet"))
    return GeneratedData(applicants_path, transactions_path, n_applicants, n_transactions, size)
