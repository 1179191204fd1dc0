"""The lake's files: Arrow schemas of its tables, Hive partition paths, atomic writes.

Every file appears by rename from a hidden temporary name, so a reader never sees half a file,
and readers (DuckDB, Spark, pyarrow) skip names starting with '.' or '_'.
"""

from __future__ import annotations

import json
import os
import re
import secrets
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.parquet as pq  # type: ignore[import-untyped]

from strongroom.core.lake import LakeEvent, LakeOrder, LakeOrderLine, LakeTable

_TS = pa.timestamp("us", tz="UTC")
_MONEY = pa.decimal128(14, 2)
BATCH_COLUMN = "lake_batch"  # the export batch a row came in: the warehouse loads by it

SCHEMAS: dict[LakeTable, pa.Schema] = {
    LakeTable.EVENTS: pa.schema(
        [
            ("event_id", pa.string()),
            ("customer_pseudonym", pa.string()),
            ("type", pa.string()),
            ("name", pa.string()),
            ("occurred_at", _TS),
            ("received_at", _TS),
            ("properties", pa.string()),
            ("sealed", pa.binary()),
            (BATCH_COLUMN, pa.int64()),
        ]
    ),
    LakeTable.ORDERS: pa.schema(
        [
            ("order_id", pa.string()),
            ("customer_pseudonym", pa.string()),
            ("ordered_at", _TS),
            ("received_at", _TS),
            ("total", _MONEY),
            ("currency", pa.string()),
            (BATCH_COLUMN, pa.int64()),
        ]
    ),
    LakeTable.ORDER_LINES: pa.schema(
        [
            ("order_id", pa.string()),
            ("line_no", pa.int32()),
            ("customer_pseudonym", pa.string()),
            ("ordered_at", _TS),
            ("sku", pa.string()),
            ("name", pa.string()),
            ("quantity", pa.int32()),
            ("unit_price", _MONEY),
            (BATCH_COLUMN, pa.int64()),
        ]
    ),
}
# Partition values live in the directory names, not in the files.
PARTITION_KEYS = ("date", "source")
_TIME_OF = {LakeTable.EVENTS: "occurred_at"}
_FILE = re.compile(r"part-b(\d{8})(?:-c[0-9a-f]+)?\.parquet")

LakeRow = LakeEvent | LakeOrder | LakeOrderLine


def partition_dir(table: LakeTable, date: str, source: str) -> Path:
    """``table/date=YYYY-MM-DD/source=NAME``, the source name escaped to one safe segment."""
    return Path(table.value) / f"date={date}" / f"source={quote(source, safe='')}"


def partition_values(relative: Path) -> tuple[str, str]:
    """The (date, source) of a partition directory made by ``partition_dir``."""
    date = relative.parent.name.removeprefix("date=")
    return date, unquote(relative.name.removeprefix("source="))


def file_batch(name: str) -> int | None:
    """The batch of a lake file name (a merged file: its newest batch), None if not ours."""
    match = _FILE.fullmatch(name)
    return int(match.group(1)) if match else None


def batch_file_name(batch: int) -> str:
    return f"part-b{batch:08d}.parquet"


def merged_file_name(batch: int) -> str:
    return f"part-b{batch:08d}-c{secrets.token_hex(4)}.parquet"


def group_rows(
    table: LakeTable, rows: Sequence[LakeRow]
) -> dict[tuple[str, str], list[dict[str, Any]]]:
    """Rows as column dicts, by (date, source): the date of their event or order, in UTC."""
    time_column = _TIME_OF.get(table, "ordered_at")
    groups: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        record = asdict(row)
        source = record.pop("source")
        date = record[time_column].astimezone(UTC).date().isoformat()
        groups[(date, source)].append(record)
    return groups


def to_table(table: LakeTable, records: Sequence[dict[str, Any]], batch: int) -> pa.Table:
    schema = SCHEMAS[table]
    columns = {
        name: [record.get(name) for record in records]
        for name in schema.names
        if name != BATCH_COLUMN
    }
    columns[BATCH_COLUMN] = [batch] * len(records)
    return pa.table(columns, schema=schema)


def write_parquet(table: pa.Table, path: Path) -> None:
    """Write ``path`` atomically: a hidden temporary file, flushed to disk, then renamed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    pq.write_table(table, temporary, compression="zstd")
    _flush(temporary)
    os.replace(temporary, path)


def write_json(document: dict[str, Any], path: Path) -> None:
    """Write a small JSON file atomically, the same way."""
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(json.dumps(document, indent=2, sort_keys=True))
    _flush(temporary)
    os.replace(temporary, path)


def _flush(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def read_files(paths: Iterable[Path], partition: tuple[str, str] | None = None) -> pa.Table:
    """Files of one table as one Arrow table, columns unioned by name (older files lack some)."""
    tables = [pq.read_table(path) for path in paths]
    if not tables:
        return pa.table({})
    merged = pa.concat_tables(tables, promote_options="default")
    if partition is not None:
        for key, value in zip(PARTITION_KEYS, partition, strict=True):
            merged = merged.append_column(key, pa.array([value] * merged.num_rows, pa.string()))
    return merged


def parse_time(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)
