"""Wires the analytics runs to their engines (DuckDB, Spark), file writers and chart renderer."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path

from strongroom.adapters.duckdb_engine import DuckDbEngine
from strongroom.adapters.spark_engine import SparkEngine
from strongroom.adapters.tabular_files import TabularFiles
from strongroom.analytics.service import AnalyticsService
from strongroom.core.analytics import (
    Chart,
    ChartRenderer,
    MetricEngine,
    MetricEngineFactory,
    ParamValue,
    ResultTable,
    TableWriter,
)
from strongroom.core.clock import Clock
from strongroom.core.errors import InvalidInputError
from strongroom.core.ports import AuditTrail, UnitOfWorkFactory
from strongroom.core.warehouse import WAREHOUSE_TABLES
from strongroom.settings import Settings
from strongroom.vault.pseudonyms import Pseudonymizer, PseudonymKeys


@dataclass(frozen=True, slots=True)
class Analytics:
    """The analytics run, and where its results go: files and charts."""

    service: AnalyticsService
    files: TableWriter
    charts: ChartRenderer


class _CopiedSpark:
    """Spark over a fresh Parquet copy of the DuckDB warehouse, removed when closed."""

    name = "spark"

    def __init__(self, settings: Settings) -> None:
        self._directory = Path(tempfile.mkdtemp(prefix="strongroom-spark-"))
        try:
            with _closing(DuckDbEngine(settings.warehouse_file)) as duck:
                written = duck.export_parquet(self._directory)
            sources = {name: str(path) for name, path in written.items()}
            self._spark = SparkEngine(master=settings.spark_master, sources=sources)
        except BaseException:
            shutil.rmtree(self._directory, ignore_errors=True)
            raise

    def run(
        self, sql: str, params: Mapping[str, ParamValue], *, allowed: Collection[str] | None
    ) -> ResultTable:
        return self._spark.run(sql, params, allowed=allowed)

    def close(self) -> None:
        try:
            self._spark.close()
        finally:
            shutil.rmtree(self._directory, ignore_errors=True)


class _closing:  # noqa: N801 - reads like contextlib.closing
    def __init__(self, engine: DuckDbEngine) -> None:
        self._engine = engine

    def __enter__(self) -> DuckDbEngine:
        return self._engine

    def __exit__(self, *_: object) -> None:
        self._engine.close()


def engine_factory(settings: Settings) -> MetricEngineFactory:
    """Opens the engine a run asks for, on the warehouse of ``settings``."""

    def open_engine(name: str) -> MetricEngine:
        if name == "duckdb":
            return DuckDbEngine(settings.warehouse_file)
        if name != "spark":
            raise InvalidInputError(f"unknown engine {name!r}; the engines are: duckdb, spark")
        if settings.spark_warehouse_uri is None:
            return _CopiedSpark(settings)
        base = settings.spark_warehouse_uri.rstrip("/")
        sources = {table.name: f"{base}/{table.name}.parquet" for table in WAREHOUSE_TABLES}
        return SparkEngine(master=settings.spark_master, sources=sources)

    return open_engine


class LazyCharts:
    """The matplotlib renderer, imported on the first chart: matplotlib takes about half a
    second to import, which every CLI command would otherwise pay."""

    def __init__(self) -> None:
        self._renderer: ChartRenderer | None = None

    def render(self, chart: Chart, path: Path) -> None:
        if self._renderer is None:
            from strongroom.adapters.charts import MatplotlibCharts  # noqa: PLC0415

            self._renderer = MatplotlibCharts()
        self._renderer.render(chart, path)


def build_analytics(
    settings: Settings,
    *,
    uow_factory: UnitOfWorkFactory,
    audit: AuditTrail,
    keys: PseudonymKeys,
    clock: Clock,
) -> Analytics:
    """The analytics of one app (nothing opened until a run)."""
    service = AnalyticsService(
        uow_factory=uow_factory,
        engines=engine_factory(settings),
        pseudonyms=Pseudonymizer(keys),
        audit=audit,
        clock=clock,
        min_group_size=settings.analytics_min_group_size,
    )
    return Analytics(service=service, files=TabularFiles(), charts=LazyCharts())
