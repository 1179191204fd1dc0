"""The Parquet lake on real files: partitions, manifest commits, recovery, evolution, compaction."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from strongroom.adapters.lake import COMPACTION_INTENT, ParquetLake
from strongroom.adapters.lake_files import file_batch, partition_dir, partition_values
from strongroom.core.errors import ConfigurationError
from strongroom.core.lake import Feed, FeedMark, LakeBatch, LakeEvent, LakeOrder, LakeTable

T0 = datetime(2025, 3, 1, 23, 30, tzinfo=UTC)


def _event(n: int, *, source: str = "web", at: datetime = T0) -> LakeEvent:
    return LakeEvent(
        f"e{n}", "ps1_x", source, "track", "Viewed", at, at, '{"sku":"K"}', b"ct" if n % 2 else None
    )


def _commit(lake: ParquetLake, *events: LakeEvent) -> None:
    number = lake.manifest().last_batch + 1
    mark = FeedMark(events[-1].received_at, events[-1].event_id)
    lake.commit(LakeBatch(number, events=list(events), marks={Feed.EVENTS: mark}))


def test_partition_paths_are_hive_style_and_round_trip() -> None:
    relative = partition_dir(LakeTable.ORDERS, "2025-03-01", "pos/store 1")
    assert str(relative) == "orders/date=2025-03-01/source=pos%2Fstore%201"
    assert partition_values(relative) == ("2025-03-01", "pos/store 1")
    assert file_batch("part-b00000012.parquet") == 12
    assert file_batch("part-b00000012-c0a1b2c3d.parquet") == 12
    assert file_batch(".part-b00000012.parquet.tmp") is None


def test_rows_land_in_the_partition_of_their_own_utc_date_and_source(tmp_path: Path) -> None:
    lake = ParquetLake(tmp_path)
    _commit(lake, _event(1), _event(2, at=T0 + timedelta(hours=1)), _event(3, source="pos"))
    names = sorted(str(p.relative_to(tmp_path).parent) for p in tmp_path.rglob("*.parquet"))
    assert names == [
        "events/date=2025-03-01/source=pos",
        "events/date=2025-03-01/source=web",
        "events/date=2025-03-02/source=web",
    ]
    manifest = lake.manifest()
    assert manifest.last_batch == 1
    assert manifest.rows == {LakeTable.EVENTS: 3, LakeTable.ORDERS: 0, LakeTable.ORDER_LINES: 0}
    assert manifest.marks[Feed.EVENTS] == FeedMark(T0, "e3")


def test_a_batch_out_of_turn_is_refused(tmp_path: Path) -> None:
    lake = ParquetLake(tmp_path)
    with pytest.raises(ConfigurationError, match="does not follow"):
        lake.commit(LakeBatch(2, events=[_event(1)]))
    assert not list(tmp_path.rglob("*.parquet"))


def test_recovery_removes_uncommitted_and_half_written_files(tmp_path: Path) -> None:
    lake = ParquetLake(tmp_path)
    _commit(lake, _event(1))
    partition = next(tmp_path.rglob("*.parquet")).parent
    (partition / "part-b00000002.parquet").write_bytes(b"uncommitted")
    (partition / ".part-b00000002.parquet.tmp").write_bytes(b"half")
    assert len(lake.read(LakeTable.EVENTS)) == 1  # never read, even before recovery
    recovery = lake.recover()
    assert (recovery.orphan_files, recovery.temp_files) == (1, 1)
    assert [p.name for p in partition.iterdir()] == ["part-b00000001.parquet"]


def test_older_files_without_a_newer_column_still_read(tmp_path: Path) -> None:
    lake = ParquetLake(tmp_path)
    _commit(lake, _event(1))
    partition = next(tmp_path.rglob("*.parquet")).parent
    newer = pq.read_table(partition / "part-b00000001.parquet")
    newer = newer.append_column("campaign", pa.array(["spring"], pa.string()))
    pq.write_table(newer.set_column(0, "event_id", pa.array(["e2"])), partition / "part-b00000001x")
    (partition / "part-b00000001x").rename(partition / "part-b00000001-c00ff.parquet")
    rows = sorted(lake.read(LakeTable.EVENTS), key=lambda r: str(r["event_id"]))
    assert [r.get("campaign") for r in rows] == [None, "spring"]
    report = lake.compact(min_files=2)
    assert (report.partitions, report.files_before, report.files_after, report.rows) == (1, 2, 1, 2)
    assert sorted(r.get("campaign") or "" for r in lake.read(LakeTable.EVENTS)) == ["", "spring"]


def test_compaction_merges_small_files_and_keeps_every_row(tmp_path: Path) -> None:
    lake = ParquetLake(tmp_path)
    for n in range(4):
        _commit(lake, _event(n))
    order = LakeOrder("o1", "ps1_x", "web", T0, T0, Decimal("-5.00"), "EUR")
    lake.commit(LakeBatch(5, orders=[order]))
    before = sorted(str(r["event_id"]) for r in lake.read(LakeTable.EVENTS))
    report = lake.compact(min_files=2)
    assert (report.partitions, report.files_before, report.files_after) == (1, 5, 2)
    assert sorted(str(r["event_id"]) for r in lake.read(LakeTable.EVENTS)) == before
    assert lake.read(LakeTable.ORDERS)[0]["total"] == Decimal("-5.00")
    files = list((tmp_path / "events").rglob("*.parquet"))
    assert len(files) == 1
    assert file_batch(files[0].name) == 4  # the newest batch merged: never taken for an orphan
    assert lake.recover().orphan_files == 0


def test_an_interrupted_compaction_is_finished_not_doubled(tmp_path: Path) -> None:
    lake = ParquetLake(tmp_path)
    _commit(lake, _event(1))
    _commit(lake, _event(2))
    partition = next(tmp_path.rglob("*.parquet")).parent
    inputs = sorted(p.name for p in partition.glob("*.parquet"))
    merged = pa.concat_tables([pq.read_table(partition / name) for name in inputs])
    pq.write_table(merged, partition / "part-b00000002-cabc.parquet")
    intent = {"partition": str(partition.relative_to(tmp_path)), "inputs": inputs,
              "output": "part-b00000002-cabc.parquet"}  # fmt: skip
    (tmp_path / COMPACTION_INTENT).write_text(json.dumps(intent))
    assert lake.recover().compactions_finished == 1
    assert [p.name for p in partition.glob("*.parquet")] == ["part-b00000002-cabc.parquet"]
    assert len(lake.read(LakeTable.EVENTS)) == 2


def test_an_empty_lake_reads_as_empty(tmp_path: Path) -> None:
    lake = ParquetLake(tmp_path / "nothing")
    assert lake.manifest().last_batch == 0
    assert lake.read(LakeTable.EVENTS) == []
    assert lake.partitions() == []
    assert lake.compact(min_files=2).files_before == 0
