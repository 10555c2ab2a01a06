"""The Delta feature table, written with delta-rs (the ``deltalake`` package, no JVM)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.dataset as ds
from deltalake import CommitProperties, DeltaTable, write_deltalake


class SchemaEnforcementError(ValueError):
    """Raised when a batch's schema differs from the Delta table's; nothing is written."""


def parquet_to_arrow(path: Path | str) -> pa.Table:
    """Read a folder of Parquet files (e.g. Spark's output) into one Arrow table."""
    return ds.dataset(str(path), format="parquet").to_table()


def write_snapshot(table_uri: str, data: pa.Table, description: str) -> int:
    """Overwrite the table with ``data`` as a new version and return that version.

    Overwrite in Delta keeps the old files: earlier versions stay readable (time travel)
    until :func:`vacuum` deletes files older than the retention period.

    Args:
        table_uri: Local path or object-store URI (``s3://``, ``abfss://``) of the table.
        data: The rows to write.
        description: Stored in the commit, shown by :func:`history`.

    Returns:
        The new version number.

    """
    write_deltalake(
        table_uri,
        data,
        mode="overwrite",
        commit_properties=CommitProperties(custom_metadata={"description": description}),
    )
    return latest_version(table_uri)


def append_batch(table_uri: str, data: pa.Table) -> int:
    """Append ``data`` if its columns and types match the table exactly.

    delta-rs rejects extra or missing columns by itself, but it silently CASTS compatible
    values (a string column ``"1.0"`` lands as a double). A pipeline's contract should be
    stricter than "castable", so the schema is compared first.

    Raises:
        SchemaEnforcementError: Naming the columns that differ.

    """
    expected = pa.schema(DeltaTable(table_uri).schema().to_arrow())
    got = data.schema
    problems = [
        f"{f.name}: table has {f.type}, batch has "
        f"{got.field(f.name).type if f.name in got.names else 'no such column'}"
        for f in expected
        if f.name not in got.names or not got.field(f.name).type.equals(f.type)
    ]
    problems += [f"{name}: not in the table" for name in got.names if name not in expected.names]
    if problems:
        raise SchemaEnforcementError(
            f"batch does not match the schema of {table_uri}; nothing was written:\n- "
            + "\n- ".join(problems)
            + "\nCast the batch, or evolve the table on purpose (schema_mode='merge')."
        )
    write_deltalake(table_uri, data, mode="append")
    return latest_version(table_uri)


def upsert(table_uri: str, updates: pa.Table, key: str = "applicant_id") -> dict[str, Any]:
    """MERGE late or corrected rows: update rows whose key exists, insert the others.

    Args:
        table_uri: The Delta table.
        updates: Rows with the table's schema.
        key: Column that identifies a row.

    Returns:
        delta-rs's merge metrics (``num_target_rows_updated``, ``..._inserted`` ...).

    """
    table = DeltaTable(table_uri)
    metrics: dict[str, Any] = (
        table.merge(
            updates,
            predicate=f"target.{key} = source.{key}",
            source_alias="source",
            target_alias="target",
        )
        .when_matched_update_all()
        .when_not_matched_insert_all()
        .execute()
    )
    return metrics


def latest_version(table_uri: str) -> int:
    """The table's current version number (0 after the first write)."""
    return int(DeltaTable(table_uri).version())


def read_version(table_uri: str, version: int | None = None) -> pa.Table:
    """Read the table as of ``version`` (time travel), or the latest one."""
    return DeltaTable(table_uri, version=version).to_pyarrow_table()


def active_files(table_uri: str, version: int | None = None) -> list[str]:
    """Parquet files that make up ``version``: what Spark reads without a Delta jar."""
    return list(DeltaTable(table_uri, version=version).file_uris())


def history(table_uri: str) -> list[dict[str, Any]]:
    """Commits, newest first: version, operation, mode, description, rows in new files."""
    rows = []
    for entry in DeltaTable(table_uri).history():
        metrics = entry.get("operationMetrics") or {}
        rows.append(
            {
                "version": entry.get("version"),
                "operation": entry.get("operation"),
                "mode": (entry.get("operationParameters") or {}).get("mode"),
                "description": entry.get("description"),
                "files_added": metrics.get(
                    "num_added_files", metrics.get("num_target_files_added")
                ),
                "rows_in_new_files": metrics.get("num_added_rows", metrics.get("num_output_rows")),
            }
        )
    return rows


def compact_and_vacuum(table_uri: str, retention_hours: int = 168) -> dict[str, Any]:
    """OPTIMIZE (merge small files) then VACUUM files unreferenced for ``retention_hours``.

    After a vacuum, versions older than the retention can no longer be time-travelled to;
    keep the retention longer than the oldest snapshot a model was trained on.
    """
    table = DeltaTable(table_uri)
    compacted = table.optimize.compact()
    removed = table.vacuum(retention_hours=retention_hours, dry_run=False)
    return {"compacted": compacted, "vacuumed_files": len(removed)}
