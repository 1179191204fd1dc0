"""The Parquet lake on a local directory (Hive-partitioned), implementing core.lake.Lake.

Layout: ``<root>/<table>/date=YYYY-MM-DD/source=NAME/part-bNNNNNNNN.parquet`` and
``<root>/_manifest.json``. An export batch writes its files (each atomically), then the manifest
naming the batch: the manifest is the commit. Files of batches above the manifest's are left by
an export that stopped; ``recover`` deletes them, so a re-run writes each row exactly once.
Compaction writes its intent first, so an interrupted one is finished, never doubled.
"""

from __future__ import annotations

import fcntl
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq  # type: ignore[import-untyped]

from strongroom.adapters.lake_files import (
    batch_file_name,
    file_batch,
    group_rows,
    merged_file_name,
    parse_time,
    partition_dir,
    partition_values,
    read_files,
    to_table,
    write_json,
    write_parquet,
)
from strongroom.core.errors import ConfigurationError
from strongroom.core.lake import (
    CompactionReport,
    Feed,
    FeedMark,
    LakeBatch,
    LakeManifest,
    LakeRecovery,
    LakeTable,
    PartitionStatus,
)

MANIFEST = "_manifest.json"
COMPACTION_INTENT = "_compaction.json"
_LOCK = "_lock"
FORMAT = 1


@dataclass(frozen=True, slots=True)
class _Partition:
    table: LakeTable
    directory: Path
    files: list[Path]


class ParquetLake:
    """The lake in ``root``; one process changes it at a time (a lock file guards it)."""

    def __init__(self, root: Path) -> None:
        self._root = root

    def __repr__(self) -> str:
        return f"ParquetLake({str(self._root)!r})"

    @property
    def location(self) -> str:
        return str(self._root)

    @property
    def root(self) -> Path:
        return self._root

    def manifest(self) -> LakeManifest:
        path = self._root / MANIFEST
        if not path.exists():
            return LakeManifest()
        try:
            return _manifest_from(json.loads(path.read_text()))
        except (ValueError, KeyError, TypeError):
            raise ConfigurationError(
                f"the lake manifest {path} is unreadable: restore it from a backup of the lake, "
                "or move the lake away and export again"
            ) from None

    def recover(self) -> LakeRecovery:
        with self._locked():
            finished = self._finish_compaction()
            last = self.manifest().last_batch
            orphans = temps = 0
            for path in self._root.rglob("*") if self._root.exists() else ():
                if path.is_file() and path.name.startswith(".") and path.name.endswith(".tmp"):
                    path.unlink()
                    temps += 1
                elif (batch := file_batch(path.name)) is not None and batch > last:
                    path.unlink()
                    orphans += 1
            return LakeRecovery(orphans, temps, finished)

    def commit(self, batch: LakeBatch) -> LakeManifest:
        with self._locked():
            manifest = self.manifest()
            if batch.number != manifest.last_batch + 1:
                raise ConfigurationError(
                    f"lake batch {batch.number} does not follow the committed batch "
                    f"{manifest.last_batch}: another export ran meanwhile; run it again"
                )
            counts = dict(manifest.rows)
            for table, rows in (
                (LakeTable.EVENTS, batch.events),
                (LakeTable.ORDERS, batch.orders),
                (LakeTable.ORDER_LINES, batch.lines),
            ):
                for (date, source), records in group_rows(table, rows).items():
                    directory = self._root / partition_dir(table, date, source)
                    arrow = to_table(table, records, batch.number)
                    write_parquet(arrow, directory / batch_file_name(batch.number))
                counts[table] = counts.get(table, 0) + len(rows)
            marks = {**manifest.marks, **batch.marks}
            updated = LakeManifest(batch.number, marks, counts, datetime.now(UTC))
            write_json(_manifest_document(updated), self._root / MANIFEST)
            return updated

    def partitions(self) -> list[PartitionStatus]:
        statuses = []
        for partition in self._partitions():
            date, source = partition_values(partition.directory.relative_to(self._root))
            rows = sum(_row_count(path) for path in partition.files)
            size = sum(path.stat().st_size for path in partition.files)
            statuses.append(
                PartitionStatus(partition.table, date, source, len(partition.files), rows, size)
            )
        return statuses

    def compact(self, *, min_files: int) -> CompactionReport:
        merged = before = after = rows = 0
        with self._locked():
            self._finish_compaction()
            for partition in self._partitions():
                before += len(partition.files)
                if len(partition.files) < max(min_files, 2):
                    after += len(partition.files)
                    continue
                rows += self._merge(partition)
                merged += 1
                after += 1
        return CompactionReport(merged, before, after, rows)

    def read(self, table: LakeTable) -> list[dict[str, object]]:
        rows: list[dict[str, object]] = []
        for partition in self._partitions(table):
            values = partition_values(partition.directory.relative_to(self._root))
            rows.extend(read_files(partition.files, values).to_pylist())
        return rows

    def _merge(self, partition: _Partition) -> int:
        """Merge a partition's files into one: intent, new file, old files gone, intent gone."""
        merged = read_files(partition.files)
        newest = max(file_batch(path.name) or 0 for path in partition.files)
        output = partition.directory / merged_file_name(newest)
        intent = {
            "partition": str(partition.directory.relative_to(self._root)),
            "inputs": [path.name for path in partition.files],
            "output": output.name,
        }
        write_json(intent, self._root / COMPACTION_INTENT)
        write_parquet(merged, output)
        self._finish_compaction()
        return int(merged.num_rows)

    def _finish_compaction(self) -> int:
        """Complete an interrupted merge: if its output exists the inputs go, else it never was."""
        path = self._root / COMPACTION_INTENT
        if not path.exists():
            return 0
        intent = json.loads(path.read_text())
        directory = self._root / intent["partition"]
        if (directory / intent["output"]).exists():
            for name in intent["inputs"]:
                (directory / name).unlink(missing_ok=True)
        path.unlink()
        return 1

    def _partitions(self, only: LakeTable | None = None) -> Iterator[_Partition]:
        last = self.manifest().last_batch
        for table in [only] if only else list(LakeTable):
            base = self._root / table.value
            for directory in sorted(base.glob("date=*/source=*")) if base.exists() else ():
                files = sorted(
                    path
                    for path in directory.glob("part-*.parquet")
                    if (batch := file_batch(path.name)) is not None and batch <= last
                )
                if files:
                    yield _Partition(table, directory, files)

    @contextmanager
    def _locked(self) -> Iterator[None]:
        self._root.mkdir(parents=True, exist_ok=True, mode=0o700)
        with (self._root / _LOCK).open("a") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise ConfigurationError(
                    f"the lake {self._root} is busy: another export or compaction is running"
                ) from None
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)


def _row_count(path: Path) -> int:
    return int(pq.ParquetFile(path).metadata.num_rows)


def _manifest_document(manifest: LakeManifest) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "last_batch": manifest.last_batch,
        "marks": {
            feed.value: {"at": mark.at.isoformat(), "id": mark.id}
            for feed, mark in sorted(manifest.marks.items())
        },
        "rows": {table.value: count for table, count in sorted(manifest.rows.items())},
        "updated_at": manifest.updated_at.isoformat() if manifest.updated_at else None,
    }


def _manifest_from(document: dict[str, Any]) -> LakeManifest:
    if document["format"] != FORMAT:
        raise ValueError("unknown lake format")
    marks = {
        Feed(name): FeedMark(datetime.fromisoformat(mark["at"]), str(mark["id"]))
        for name, mark in document["marks"].items()
    }
    rows = {LakeTable(name): int(count) for name, count in document["rows"].items()}
    return LakeManifest(
        int(document["last_batch"]), marks, rows, parse_time(document.get("updated_at"))
    )
