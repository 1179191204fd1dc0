"""Analytics files and charts: real CSV, Parquet, PNG and SVG files that hold the data."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from strongroom.adapters.charts import MatplotlibCharts
from strongroom.adapters.tabular_files import TabularFiles
from strongroom.core.analytics import BarChart, HeatmapChart, HistogramChart, ResultTable
from strongroom.core.errors import InvalidInputError

TABLE = ResultTable(("cohort", "customers", "m1"), (("2024-01", 12, 0.5), ("2024-02", 7, None)))


def test_csv_and_parquet_hold_the_rows_with_masked_cells_empty(tmp_path: Path) -> None:
    files = TabularFiles()
    files.write(TABLE, tmp_path / "out.csv")
    files.write(TABLE, tmp_path / "out.parquet")
    with (tmp_path / "out.csv").open() as source:
        assert list(csv.reader(source)) == [
            ["cohort", "customers", "m1"],
            ["2024-01", "12", "0.5"],
            ["2024-02", "7", ""],
        ]
    assert pq.read_table(tmp_path / "out.parquet").to_pylist() == TABLE.records()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv", "out.parquet"]


def test_a_failed_write_leaves_the_old_file_and_no_partial_one(tmp_path: Path) -> None:
    target = tmp_path / "out.parquet"
    target.write_bytes(b"previous")
    broken = ResultTable(("a",), ((1,), ("text",)))  # mixed types: Arrow refuses the column
    with pytest.raises(Exception, match=r"int|str|convert"):
        TabularFiles().write(broken, target)
    assert target.read_bytes() == b"previous"
    assert [p.name for p in tmp_path.iterdir()] == ["out.parquet"]


def test_unknown_suffixes_are_refused(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match=r"\.csv or \.parquet"):
        TabularFiles().write(TABLE, tmp_path / "out.xlsx")
    with pytest.raises(InvalidInputError, match=r"\.png or \.svg"):
        MatplotlibCharts().render(BarChart("t", ("a",), (1.0,)), tmp_path / "c.pdf")


def test_png_charts_are_png_files(tmp_path: Path) -> None:
    charts = MatplotlibCharts()
    charts.render(HistogramChart("CLV", "CLV", (1.0, 2.0, 2.5, 9.0)), tmp_path / "clv.png")
    assert (tmp_path / "clv.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_svg_bar_chart_has_one_bar_per_segment(tmp_path: Path) -> None:
    chart = BarChart("RFM segment sizes", ("Champions", "Lost", "Promising"), (10.0, 20.0, 5.0))
    MatplotlibCharts().render(chart, tmp_path / "rfm.svg")
    svg = (tmp_path / "rfm.svg").read_text()
    assert svg.lstrip().startswith("<?xml")
    assert "<svg" in svg
    assert len(re.findall(r'<g id="bar_\d+"', svg)) == 3
    assert "Champions" in svg
    assert "Promising" in svg


def test_svg_heatmap_labels_every_cohort(tmp_path: Path) -> None:
    chart = HeatmapChart("Cohorts", ("2024-01", "2024-02"), ("m0", "m1"), ((1.0, 0.4), (1.0, None)))
    MatplotlibCharts().render(chart, tmp_path / "cohorts.svg")
    svg = (tmp_path / "cohorts.svg").read_text()
    assert all(label in svg for label in ("2024-01", "2024-02", "m1"))
    assert "<image" in svg  # the cells, as one image
