"""The DuckDB metric engine: runs the metric SQL over the warehouse file, read-only.

The warehouse is attached read-only to an in-memory database, and each warehouse table is exposed
under its own name as a temporary view that keeps only the allowed pseudonyms (customers whose
consent ledger grants analytics), so no metric can see anyone else. Statements are built with
SQLGlot from the declared table names; values are bound parameters.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.parquet as pq  # type: ignore[import-untyped]
import sqlglot
from sqlglot import exp

from strongroom.core.analytics import ParamValue, ResultTable, Scalar
from strongroom.core.errors import ConfigurationError, InvalidInputError
from strongroom.core.warehouse import WAREHOUSE_TABLES

ALLOWED_TABLE = "allowed_customer"
_CATALOG = "wh"
_PSEUDONYM = "customer_pseudonym"


def placeholders(sql: str) -> set[str]:
    """The names of the ``$name`` parameters of a DuckDB statement."""
    return {node.name for node in sqlglot.parse_one(sql, read="duckdb").find_all(exp.Placeholder)}


def consented_view(table: str, source: exp.Table, *, filtered: bool) -> exp.Create:
    """CREATE OR REPLACE TEMPORARY VIEW <table> AS the source's rows of allowed pseudonyms."""
    select = exp.select("*").from_(source)
    if filtered:
        allowed = (
            exp.select("1")
            .from_(exp.table_(ALLOWED_TABLE, alias="x"))
            .where(exp.column(_PSEUDONYM, table="x").eq(exp.column(_PSEUDONYM, table="t")))
        )
        select = select.where(exp.Exists(this=allowed))
    return exp.Create(
        this=exp.table_(table),
        kind="VIEW",
        expression=select,
        replace=True,
        properties=exp.Properties(expressions=[exp.TemporaryProperty()]),
    )


class DuckDbEngine:
    """Metric SQL over a DuckDB warehouse file; close it when done."""

    name = "duckdb"

    def __init__(self, warehouse: Path, *, threads: int | None = None) -> None:
        if not warehouse.is_file():
            raise ConfigurationError(
                "there is no analytics warehouse yet: run `strongroom warehouse build` first"
            )
        self._connection = duckdb.connect(":memory:")
        try:
            if threads is not None:
                self._connection.execute("SET threads = ?", [threads])
            self._connection.execute("ATTACH ? AS wh (READ_ONLY)", [str(warehouse)])
            self._check_tables()
        except duckdb.Error as error:
            self._connection.close()
            raise ConfigurationError(
                "the analytics warehouse cannot be opened; rebuild it with "
                f"`strongroom warehouse build` ({type(error).__name__})"
            ) from None
        except BaseException:
            self._connection.close()
            raise

    def _check_tables(self) -> None:
        found = {
            row[0]
            for row in self._connection.execute(
                "SELECT table_name FROM duckdb_tables() WHERE database_name = ?", [_CATALOG]
            ).fetchall()
        }
        missing = sorted(t.name for t in WAREHOUSE_TABLES if t.name not in found)
        if missing:
            raise ConfigurationError(
                f"the analytics warehouse lacks table(s) {', '.join(missing)}: "
                "rebuild it with `strongroom warehouse build`"
            )

    def run(
        self, sql: str, params: Mapping[str, ParamValue], *, allowed: Collection[str] | None
    ) -> ResultTable:
        self._expose(allowed)
        wanted = placeholders(sql)
        missing = wanted - params.keys()
        if missing:
            raise InvalidInputError(f"the metric needs parameter(s) {', '.join(sorted(missing))}")
        bound = {name: params[name] for name in wanted}
        cursor = self._connection.execute(sql, bound)
        columns = tuple(str(column[0]) for column in cursor.description or ())
        return ResultTable(
            columns, tuple(tuple(_plain(v) for v in row) for row in cursor.fetchall())
        )

    def _expose(self, allowed: Collection[str] | None) -> None:
        names = pa.array(sorted(allowed or ()), type=pa.string())
        self._connection.register(ALLOWED_TABLE, pa.table({_PSEUDONYM: names}))
        for table in WAREHOUSE_TABLES:
            source = exp.table_(table.name, db="main", catalog=_CATALOG, alias="t")
            view = consented_view(table.name, source, filtered=allowed is not None)
            self._connection.execute(view.sql(dialect="duckdb"))

    def export_parquet(self, directory: Path) -> dict[str, Path]:
        """Copy every warehouse table to ``directory/<table>.parquet`` (for the Spark engine)."""
        directory.mkdir(parents=True, exist_ok=True)
        written: dict[str, Path] = {}
        for table in WAREHOUSE_TABLES:
            source = exp.select("*").from_(exp.table_(table.name, db="main", catalog=_CATALOG))
            arrow = self._connection.sql(source.sql(dialect="duckdb")).to_arrow_table()
            target = directory / f"{table.name}.parquet"
            partial = target.with_suffix(".parquet.partial")
            pq.write_table(arrow, partial)
            partial.replace(target)
            written[table.name] = target
        return written

    def close(self) -> None:
        self._connection.close()


def _plain(value: Any) -> Scalar:
    """DuckDB's Decimal becomes float; everything else is already a plain value."""
    if isinstance(value, Decimal):
        return float(value)
    plain: Scalar = value
    return plain
