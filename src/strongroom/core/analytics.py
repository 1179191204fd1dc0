"""Analytics ports and value types: result tables, metric engines, tabular files and charts.

A metric is defined once as SQL over the warehouse tables (core/warehouse.py) in the DuckDB
dialect; an engine runs it (DuckDB, or Spark after transpiling) and returns a ``ResultTable``.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Protocol

Scalar = str | int | float | bool | date | datetime | None
ParamValue = str | int | float | date | datetime


@dataclass(frozen=True, slots=True)
class ResultTable:
    """Rows of plain values under named columns."""

    columns: tuple[str, ...]
    rows: tuple[tuple[Scalar, ...], ...] = ()

    def column(self, name: str) -> list[Scalar]:
        """The values of one column, in row order."""
        index = self.columns.index(name)
        return [row[index] for row in self.rows]

    def records(self) -> list[dict[str, Scalar]]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]

    def non_finite_cells(self) -> int:
        """How many cells hold NaN or an infinity (a report must hold none)."""
        return sum(
            1
            for row in self.rows
            for cell in row
            if isinstance(cell, float) and not math.isfinite(cell)
        )


class MetricEngine(Protocol):
    """Runs one metric's SQL (DuckDB dialect, ``$name`` parameters) over the warehouse tables.

    The tables it exposes under the warehouse names hold only rows of ``allowed`` pseudonyms
    (all rows when None): the consent rule is applied before any metric sees the data.
    """

    @property
    def name(self) -> str: ...

    def run(
        self, sql: str, params: Mapping[str, ParamValue], *, allowed: Collection[str] | None
    ) -> ResultTable: ...

    def close(self) -> None: ...


class MetricEngineFactory(Protocol):
    def __call__(self, name: str) -> MetricEngine:
        """Open the engine called ``name`` (duckdb or spark); ConfigurationError if unknown."""
        ...


class TableWriter(Protocol):
    """Writes a result table to a file (CSV or Parquet, by suffix), atomically."""

    def write(self, table: ResultTable, path: Path) -> None: ...


@dataclass(frozen=True, slots=True)
class HeatmapChart:
    """Rows by columns of shares in 0..1; None is a masked or unobserved cell."""

    title: str
    row_labels: tuple[str, ...]
    column_labels: tuple[str, ...]
    cells: tuple[tuple[float | None, ...], ...]


@dataclass(frozen=True, slots=True)
class HistogramChart:
    title: str
    x_label: str
    values: tuple[float, ...]
    bins: int = 30


@dataclass(frozen=True, slots=True)
class BarChart:
    title: str
    labels: tuple[str, ...]
    values: tuple[float, ...]
    y_label: str = "customers"


Chart = HeatmapChart | HistogramChart | BarChart


class ChartRenderer(Protocol):
    """Renders a chart to PNG or SVG (by the path's suffix), atomically."""

    def render(self, chart: Chart, path: Path) -> None: ...


@dataclass(frozen=True, slots=True)
class MetricReport:
    """What an analytics run gives: the main table, an optional grouped summary, and notes.

    ``suppressed_groups`` counts the groups of fewer than k customers that were dropped or
    masked; ``consented_customers`` is how many customers' consent ledgers grant analytics
    (None when the purpose needs no consent), everyone else being left out.
    """

    metric: str
    table: ResultTable
    summary: ResultTable | None = None
    chart: Chart | None = None
    suppressed_groups: int = 0
    consented_customers: int | None = None
    notes: tuple[str, ...] = ()
    parameters: dict[str, str] = field(default_factory=dict)


def as_float(value: Scalar) -> float:
    """A numeric cell as a float (SQL engines return ints, floats or None)."""
    if value is None or isinstance(value, str | date):
        raise TypeError(f"expected a number, got {type(value).__name__}")
    return float(value)


def as_int(value: Scalar) -> int:
    return int(as_float(value))


def labels(values: Sequence[Scalar]) -> tuple[str, ...]:
    return tuple("" if value is None else str(value) for value in values)
