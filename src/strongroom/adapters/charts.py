"""Charts of analytics results as PNG or SVG, drawn with matplotlib's object API.

No pyplot and no global backend: each chart is a ``Figure`` on its own Agg canvas, so importing
this module changes nothing and charts can be drawn from any thread. Files are written atomically.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from strongroom.adapters.tabular_files import atomic_target
from strongroom.core.analytics import BarChart, Chart, HeatmapChart, HistogramChart
from strongroom.core.errors import InvalidInputError

FORMATS = {".png": "png", ".svg": "svg"}


def _heatmap(axes: Axes, chart: HeatmapChart) -> None:
    cells = np.array(
        [[np.nan if v is None else v for v in row] for row in chart.cells], dtype=float
    ).reshape(len(chart.row_labels), len(chart.column_labels))
    image = axes.imshow(np.ma.masked_invalid(cells), cmap="viridis", vmin=0, vmax=1, aspect="auto")
    axes.set_xticks(range(len(chart.column_labels)), chart.column_labels, fontsize=7)
    axes.set_yticks(range(len(chart.row_labels)), chart.row_labels, fontsize=7)
    axes.set_xlabel("months since first purchase")
    axes.figure.colorbar(image, ax=axes, label="retention")


def _histogram(axes: Axes, chart: HistogramChart) -> None:
    axes.hist(chart.values, bins=chart.bins, color="#3b6ea5")
    axes.set_xlabel(chart.x_label)
    axes.set_ylabel("customers")


def _bars(axes: Axes, chart: BarChart) -> None:
    bars = axes.bar(range(len(chart.labels)), chart.values, color="#3b6ea5")
    for number, bar in enumerate(bars):
        bar.set_gid(f"bar_{number}")  # named in SVG output: one element per bar
    axes.set_xticks(range(len(chart.labels)), chart.labels, rotation=30, ha="right", fontsize=8)
    axes.set_ylabel(chart.y_label)


_DRAW: dict[type, Callable[[Axes, Chart], None]] = {
    HeatmapChart: _heatmap,  # type: ignore[dict-item]
    HistogramChart: _histogram,  # type: ignore[dict-item]
    BarChart: _bars,  # type: ignore[dict-item]
}


class MatplotlibCharts:
    """Renders charts to PNG or SVG by the path's suffix."""

    def render(self, chart: Chart, path: Path) -> None:
        form = FORMATS.get(path.suffix.lower())
        if form is None:
            raise InvalidInputError("--chart must end in .png or .svg")
        figure = Figure(figsize=(9, 5.5), layout="constrained")
        FigureCanvasAgg(figure)
        axes = figure.add_subplot()
        _DRAW[type(chart)](axes, chart)
        axes.set_title(chart.title)
        with atomic_target(path) as temporary:
            figure.savefig(temporary, format=form, dpi=110)
