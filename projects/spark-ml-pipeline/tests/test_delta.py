"""Delta versions, time travel, MERGE and schema enforcement with delta-rs (no Spark)."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest
from deltalake.exceptions import SchemaMismatchError

from spark_ml_pipeline import delta


def table(ids: list[int], incomes: list[float]) -> pa.Table:
    return pa.table(
        {"applicant_id": pa.array(ids, pa.int64()), "income": pa.array(incomes, pa.float64())}
    )


def test_does_time_travel_read_the_rows_of_an_old_version(tmp_path: Path) -> None:
    uri = str(tmp_path / "t")
    assert delta.write_snapshot(uri, table([1, 2], [10.0, 20.0]), "first") == 0
    assert delta.append_batch(uri, table([3], [30.0])) == 1
    assert delta.read_version(uri, 0).num_rows == 2
    assert delta.read_version(uri).num_rows == 3
    commits = delta.history(uri)
    assert [entry["version"] for entry in commits] == [1, 0]
    assert commits[-1]["description"] == "first"


def test_does_merge_update_existing_keys_and_insert_new_ones(tmp_path: Path) -> None:
    uri = str(tmp_path / "t")
    delta.write_snapshot(uri, table([1, 2], [10.0, 20.0]), "first")
    metrics = delta.upsert(uri, table([2, 3], [25.0, 30.0]))
    assert (metrics["num_target_rows_updated"], metrics["num_target_rows_inserted"]) == (1, 1)
    latest = delta.read_version(uri).sort_by("applicant_id").to_pydict()
    assert latest == {"applicant_id": [1, 2, 3], "income": [10.0, 25.0, 30.0]}
    assert delta.read_version(uri, 0).to_pydict()["income"] == [10.0, 20.0]
    assert delta.history(uri)[0]["operation"] == "MERGE"


def test_is_a_batch_with_another_type_rejected_before_writing(tmp_path: Path) -> None:
    uri = str(tmp_path / "t")
    delta.write_snapshot(uri, table([1], [10.0]), "first")
    bad = pa.table({"applicant_id": pa.array([2], pa.int64()), "income": ["20.0"]})
    with pytest.raises(delta.SchemaEnforcementError, match="income: table has double"):
        delta.append_batch(uri, bad)
    assert delta.read_version(uri).num_rows == 1, "nothing was written"


def test_does_delta_rs_itself_reject_an_extra_column(tmp_path: Path) -> None:
    uri = str(tmp_path / "t")
    delta.write_snapshot(uri, table([1], [10.0]), "first")
    extra = table([2], [20.0]).append_column("surprise", pa.array([1]))
    with pytest.raises(delta.SchemaEnforcementError, match="surprise: not in the table"):
        delta.append_batch(uri, extra)
    from deltalake import write_deltalake

    with pytest.raises(SchemaMismatchError):
        write_deltalake(uri, extra, mode="append")


def test_does_compaction_keep_the_rows(tmp_path: Path) -> None:
    uri = str(tmp_path / "t")
    delta.write_snapshot(uri, table([1], [10.0]), "first")
    for i in range(2, 5):
        delta.append_batch(uri, table([i], [float(i)]))
    result = delta.compact_and_vacuum(uri)
    assert result["compacted"]["numFilesRemoved"] == 4
    assert delta.read_version(uri).num_rows == 4
