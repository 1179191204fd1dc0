"""The Spark metric engine: the same metric SQL, transpiled by SQLGlot, over Parquet.

Each warehouse table is read from Parquet (a local path, or ``s3a://``, ``abfss://``, ``gs://``
on a cluster) and registered under its own name as a temporary view that keeps only the allowed
pseudonyms (customers whose consent ledger grants analytics). Parameters stay bound: DuckDB's
``$name`` becomes Spark's ``:name`` marker and the values go in ``args``.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlglot
from sqlglot import exp

from strongroom.core.analytics import ParamValue, ResultTable, Scalar
from strongroom.core.errors import ConfigurationError, InvalidInputError
from strongroom.core.warehouse import WAREHOUSE_TABLES

_PSEUDONYM = "customer_pseudonym"


def to_spark_sql(sql: str) -> str:
    """The Spark SQL text of a DuckDB metric definition."""
    return sqlglot.transpile(sql, read="duckdb", write="spark")[0]


def spark_placeholders(sql: str) -> set[str]:
    return {node.name for node in sqlglot.parse_one(sql, read="duckdb").find_all(exp.Placeholder)}


class SparkEngine:
    """Metric SQL on a Spark session (``local[N]`` or a cluster's master URL)."""

    name = "spark"

    def __init__(
        self,
        *,
        master: str,
        sources: Mapping[str, str],
        conf: Mapping[str, str] | None = None,
        stop_on_close: bool = True,
    ) -> None:
        missing = sorted(t.name for t in WAREHOUSE_TABLES if t.name not in sources)
        if missing:
            raise ConfigurationError(f"no Parquet location for table(s) {', '.join(missing)}")
        from pyspark.sql import SparkSession  # noqa: PLC0415 - heavy; only when Spark is chosen

        builder = (
            SparkSession.builder.master(master)
            .appName("strongroom-analytics")
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.ui.enabled", "false")
            .config("spark.sql.shuffle.partitions", "8")
        )
        for key, value in (conf or {}).items():
            builder = builder.config(key, value)
        self._spark = builder.getOrCreate()
        self._sources = dict(sources)
        self._stop_on_close = stop_on_close
        self._cache: dict[str, str] = {}

    def run(
        self, sql: str, params: Mapping[str, ParamValue], *, allowed: Collection[str] | None
    ) -> ResultTable:
        self._expose(allowed)
        wanted = spark_placeholders(sql)
        missing = wanted - params.keys()
        if missing:
            raise InvalidInputError(f"the metric needs parameter(s) {', '.join(sorted(missing))}")
        text = self._cache.setdefault(sql, to_spark_sql(sql))
        frame = self._spark.sql(text, args={name: params[name] for name in wanted})
        columns = tuple(frame.columns)
        rows = tuple(tuple(_plain(value) for value in row) for row in frame.collect())
        return ResultTable(columns, rows)

    def _expose(self, allowed: Collection[str] | None) -> None:
        names = None
        if allowed is not None:
            rows = [(pseudonym,) for pseudonym in sorted(allowed)]
            names = self._spark.createDataFrame(rows, f"{_PSEUDONYM} string")
        for table in WAREHOUSE_TABLES:
            frame = self._spark.read.parquet(self._sources[table.name])
            if names is not None:
                frame = frame.join(names, on=_PSEUDONYM, how="left_semi")
            frame.createOrReplaceTempView(table.name)

    def close(self) -> None:
        if self._stop_on_close:
            self._spark.stop()


def _plain(value: Any) -> Scalar:
    if value is None or isinstance(value, str | int | float | date | datetime):
        plain: Scalar = value
        return plain
    if isinstance(value, Decimal):
        return float(value)
    return str(value)
