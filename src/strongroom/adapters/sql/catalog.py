"""SQL repository of the field catalog: one INSERT .. ON CONFLICT per batch."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import case, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Row

from strongroom.adapters.sql.tables_catalog import field_catalog
from strongroom.core.catalog import (
    CatalogEntry,
    FieldCount,
    FieldKey,
    FieldProtection,
    FieldScope,
    FieldStorage,
)
from strongroom.core.schema import DataClass

_KEY_COLUMNS = ("scope", "name", "data_class", "protection", "storage")


def merge_counts(counts: Sequence[FieldCount]) -> list[FieldCount]:
    """One count per field: records added, the latest time kept (one row per key in a statement)."""
    records: dict[FieldKey, int] = defaultdict(int)
    seen: dict[FieldKey, datetime] = {}
    for count in counts:
        records[count.key] += count.records
        seen[count.key] = max(seen.get(count.key, count.seen_at), count.seen_at)
    return [FieldCount(key, records[key], seen[key]) for key in records]


class SqlFieldCatalogRepository:
    """The field catalog in the operational store."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def record(self, counts: Sequence[FieldCount]) -> None:
        rows = [_row(count) for count in merge_counts(counts)]
        if not rows:
            return
        dialect = postgresql if self._connection.dialect.name == "postgresql" else sqlite
        statement = dialect.insert(field_catalog)
        excluded = statement.excluded
        table = field_catalog.c
        upsert = statement.on_conflict_do_update(
            index_elements=list(_KEY_COLUMNS),
            set_={
                "records": table.records + excluded.records,
                "last_seen": case(
                    (excluded.last_seen > table.last_seen, excluded.last_seen),
                    else_=table.last_seen,
                ),
            },
        )
        self._connection.execute(upsert, rows)

    def entries(self) -> list[CatalogEntry]:
        statement = select(field_catalog).order_by(*(field_catalog.c[c] for c in _KEY_COLUMNS))
        return [_entry(row) for row in self._connection.execute(statement)]


def _row(count: FieldCount) -> dict[str, Any]:
    key = count.key
    return {
        "scope": key.scope.value,
        "name": key.name,
        "data_class": key.data_class.value,
        "protection": key.protection.value,
        "storage": key.storage.value,
        "records": count.records,
        "first_seen": count.seen_at,
        "last_seen": count.seen_at,
    }


def _entry(row: Row[Any]) -> CatalogEntry:
    key = FieldKey(
        FieldScope(row.scope),
        row.name,
        DataClass(row.data_class),
        FieldProtection(row.protection),
        FieldStorage(row.storage),
    )
    return CatalogEntry(key, row.records, row.first_seen, row.last_seen)
