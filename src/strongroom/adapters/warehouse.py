"""The analytics warehouse in a DuckDB file, its tables made from core.warehouse's declaration.

Facts are copied from the lake's Parquet files by DuckDB itself (columns unioned by name, so
older files lacking a newer column still read); a build is one DuckDB transaction, so a failed
build leaves the previous warehouse as it was. Bookkeeping lives in its own schema
(``strongroom_meta``), so ``main`` holds exactly the declared tables.

``create_warehouse`` and ``load_table`` build a warehouse from rows in memory, for tests and
benchmarks of the metrics.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import duckdb
import pyarrow as pa  # type: ignore[import-untyped]

from strongroom.adapters import warehouse_sql as statements
from strongroom.adapters.lake_files import file_batch
from strongroom.adapters.warehouse_sql import META
from strongroom.core.errors import ConfigurationError, InvalidInputError
from strongroom.core.lake import DimCustomerRow, Feed, LakeTable, WarehouseStatus
from strongroom.core.warehouse import (
    DIM_CUSTOMER,
    FACT_EVENT,
    FACT_ORDER,
    FACT_ORDER_LINE,
    WAREHOUSE_TABLES,
    ColumnType,
    WarehouseTable,
)

_ARROW_TYPES: dict[ColumnType, pa.DataType] = {
    ColumnType.TEXT: pa.string(),
    ColumnType.INTEGER: pa.int32(),
    ColumnType.BIGINT: pa.int64(),
    ColumnType.MONEY: pa.decimal128(14, 2),
    ColumnType.TIMESTAMP: pa.timestamp("us"),
    ColumnType.DATE: pa.date32(),
}
# Which lake table fills which fact table; every other column has the same name in both.
_SOURCES = {
    FACT_EVENT.name: LakeTable.EVENTS,
    FACT_ORDER.name: LakeTable.ORDERS,
    FACT_ORDER_LINE.name: LakeTable.ORDER_LINES,
}
_OWNED = {
    Feed.EVENTS: ((FACT_EVENT, "event_id"),),
    Feed.ORDERS: ((FACT_ORDER, "order_id"), (FACT_ORDER_LINE, "order_id")),
}
_TABLES = {table.name: table for table in WAREHOUSE_TABLES}


def table_ddl(table: WarehouseTable) -> str:
    """CREATE TABLE for a declared warehouse table, its key as the primary key."""
    return statements.create_table(table)


def _connect(path: Path, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        connection = duckdb.connect(str(path), read_only=read_only)
    except duckdb.IOException as error:
        raise ConfigurationError(
            f"the warehouse {path} cannot be opened ({str(error).splitlines()[0]}); is a build "
            "or another program using it?"
        ) from None
    connection.execute("SET TimeZone = 'UTC'")  # the lake's UTC instants become UTC wall time
    return connection


def create_tables(connection: duckdb.DuckDBPyConnection) -> None:
    """The declared tables and the bookkeeping schema, where missing."""
    for table in WAREHOUSE_TABLES:
        connection.execute(table_ddl(table))
    for statement in statements.create_meta():
        connection.execute(statement)


def create_warehouse(path: Path) -> duckdb.DuckDBPyConnection:
    """A DuckDB file at ``path`` with the declared tables (empty if new); the caller closes it."""
    connection = _connect(path)
    create_tables(connection)
    return connection


def _arrow(table: WarehouseTable, rows: Sequence[Mapping[str, Any]]) -> pa.Table:
    names = set(table.column_names)
    for row in rows:
        if set(row) != names:
            raise InvalidInputError(
                f"a row for {table.name} has columns {sorted(row)}, not the declared "
                f"{sorted(names)}"
            )
    columns = {
        c.name: pa.array([_plain(row[c.name]) for row in rows], _ARROW_TYPES[c.type])
        for c in table.columns
    }
    return pa.table(columns)


def _plain(value: Any) -> Any:
    # Warehouse times are UTC wall time without a zone.
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC).replace(tzinfo=None)
    return value


def load_table(
    connection: duckdb.DuckDBPyConnection, name: str, rows: Sequence[Mapping[str, Any]]
) -> int:
    """Insert ``rows`` (each with exactly the declared columns) into table ``name``."""
    table = _TABLES.get(name)
    if table is None:
        raise InvalidInputError(f"no warehouse table {name!r}; use one of {sorted(_TABLES)}")
    if not rows:
        return 0
    incoming = _arrow(table, rows)
    connection.register(statements.INCOMING, incoming)
    try:
        connection.execute(statements.insert_incoming(table)).fetchall()
    finally:
        connection.unregister(statements.INCOMING)
    return len(rows)


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC)


class DuckDbWarehouseSession:
    """One build: a DuckDB transaction on the warehouse file."""

    def __init__(self, path: Path, lake_root: Path) -> None:
        self._path = path
        self._lake_root = lake_root
        self._connection: duckdb.DuckDBPyConnection | None = None
        self._committed = False

    def __enter__(self) -> Self:
        self._connection = create_warehouse(self._path)
        self._committed = False
        self._connection.begin()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        connection, self._connection = self._active(), None
        try:
            if exc_type is not None or not self._committed:
                connection.rollback()
        finally:
            connection.close()

    def loaded_batch(self) -> int:
        row = self._active().execute(statements.last_loaded_batch()).fetchall()
        return int(row[0][0]) if row and row[0][0] is not None else 0

    def load_lake(self, *, after: int, through: int) -> dict[str, int]:
        return {
            fact: self._load_fact(_TABLES[fact], lake_table, after, through)
            for fact, lake_table in _SOURCES.items()
        }

    def _load_fact(self, table: WarehouseTable, lake: LakeTable, after: int, through: int) -> int:
        files = _lake_files(self._lake_root / lake.value, through)
        if not files or through <= after:
            return 0
        connection = self._active()
        before = _count(connection, table.name)
        connection.execute(
            statements.load_from_lake(table),
            {"files": [str(path) for path in files], "after": after, "through": through},
        ).fetchall()
        return _count(connection, table.name) - before

    def set_owners(self, feed: Feed, owners: Sequence[tuple[str, str]]) -> int:
        if not owners:
            return 0
        connection = self._active()
        batch = pa.table(
            {
                "row_id": pa.array([row_id for row_id, _ in owners], pa.string()),
                "pseudonym": pa.array([pseudonym for _, pseudonym in owners], pa.string()),
            }
        )
        connection.register(statements.OWNERS, batch)
        changed = 0
        try:
            for table, key in _OWNED[feed]:
                result = connection.execute(statements.update_owners(table, key)).fetchall()
                changed += int(result[0][0]) if result else 0
        finally:
            connection.unregister(statements.OWNERS)
        return changed

    def order_spans(self) -> dict[str, tuple[datetime, datetime]]:
        rows = (
            self._active()
            .execute(
                "SELECT customer_pseudonym, min(ordered_at), max(ordered_at) FROM main.fact_order "
                "WHERE total >= 0 GROUP BY customer_pseudonym"
            )
            .fetchall()
        )
        return {str(p): (_utc(first), _utc(last)) for p, first, last in rows}

    def replace_customers(self, rows: Sequence[DimCustomerRow]) -> None:
        connection = self._active()
        connection.execute(statements.delete_all(DIM_CUSTOMER.name)).fetchall()
        load_table(
            connection,
            DIM_CUSTOMER.name,
            [{name: getattr(row, name) for name in DIM_CUSTOMER.column_names} for row in rows],
        )

    def commit(self, *, lake_batch: int, built_at: datetime) -> dict[str, int]:
        connection = self._active()
        connection.execute(
            statements.record_build(),
            {"batch": lake_batch, "at": _plain(built_at)},
        ).fetchall()
        counts = {table.name: _count(connection, table.name) for table in WAREHOUSE_TABLES}
        connection.commit()
        self._committed = True
        return counts

    def _active(self) -> duckdb.DuckDBPyConnection:
        if self._connection is None:
            raise RuntimeError("the warehouse session is not entered; use it in a with block")
        return self._connection


def _lake_files(directory: Path, through: int) -> list[Path]:
    # Only files of committed batches: an interrupted export's files are never read.
    if not directory.exists():
        return []
    return sorted(
        path
        for path in directory.glob("date=*/source=*/part-*.parquet")
        if (batch := file_batch(path.name)) is not None and batch <= through
    )


def _count(connection: duckdb.DuckDBPyConnection, table: str) -> int:
    row = connection.execute(statements.count(table)).fetchall()
    return int(row[0][0]) if row else 0


class DuckDbWarehouse:
    """The warehouse file, built from the lake in ``lake_root``."""

    def __init__(self, path: Path, lake_root: Path) -> None:
        self._path = path
        self._lake_root = lake_root

    def __repr__(self) -> str:
        return f"DuckDbWarehouse({str(self._path)!r})"

    def session(self) -> DuckDbWarehouseSession:
        return DuckDbWarehouseSession(self._path, self._lake_root)

    def status(self) -> WarehouseStatus:
        if not self._path.exists():
            return WarehouseStatus(str(self._path), False, 0, None, {})
        connection = _connect(self._path, read_only=True)
        try:
            built = connection.execute(statements.meta_exists(), {"schema": META}).fetchall()
            if not built or not built[0][0]:
                return WarehouseStatus(str(self._path), True, 0, None, {})
            row = connection.execute(statements.latest_build()).fetchall()
            counts = {table.name: _count(connection, table.name) for table in WAREHOUSE_TABLES}
        finally:
            connection.close()
        if not row:
            return WarehouseStatus(str(self._path), True, 0, None, counts)
        return WarehouseStatus(str(self._path), True, int(row[0][0]), _utc(row[0][1]), counts)
