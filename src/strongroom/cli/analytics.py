"""``strongroom analytics rfm|clv|cohorts|churn|affinity|funnel``: metrics for the analyst role.

Each command runs one metric on the warehouse (DuckDB, or Spark with ``--engine spark``), prints
tables, and can write the full result to ``--out FILE.csv|.parquet`` and a chart to
``--chart FILE.png|.svg``. Needs a staff token whose role holds ``analytics.read``; audited.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer

from strongroom.analytics.requests import MetricRequest
from strongroom.cli.context import open_app, staff_actor
from strongroom.cli.output import console, emit_json, emit_table
from strongroom.core.analytics import MetricReport, ResultTable
from strongroom.core.errors import InvalidInputError

analytics_app = typer.Typer(
    help="Analytics on the pseudonymized warehouse (analyst role, consent and k guarded).",
    no_args_is_help=True,
)

AsOf = Annotated[
    str | None, typer.Option("--as-of", help="Analyse up to this day (YYYY-MM-DD); default today")
]
Engine = Annotated[str, typer.Option(help="duckdb, or spark (STRONGROOM_SPARK_MASTER)")]
MinGroup = Annotated[
    int | None, typer.Option("-k", help="Suppress groups under k customers (>= the setting)")
]
Out = Annotated[Path | None, typer.Option("--out", help="Write the full result: .csv or .parquet")]
ChartOut = Annotated[Path | None, typer.Option("--chart", help="Draw the chart: .png or .svg")]
Token = Annotated[
    str | None,
    typer.Option(help="Staff API token; default STRONGROOM_TOKEN", show_default=False),
]
Limit = Annotated[int, typer.Option(min=0, help="Rows of the result to print")]
AsJson = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def _day(text: str | None, option: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInputError(f"{option} must be a date such as 2024-06-30") from None


def _check_paths(out: Path | None, chart: Path | None) -> None:
    if out is not None and out.suffix.lower() not in (".csv", ".parquet"):
        raise InvalidInputError("--out must end in .csv or .parquet")
    if chart is not None and chart.suffix.lower() not in (".png", ".svg"):
        raise InvalidInputError("--chart must end in .png or .svg")


def _execute(
    request: MetricRequest,
    *,
    out: Path | None,
    chart: Path | None,
    token: str | None,
    limit: int,
    as_json: bool,
) -> None:
    _check_paths(out, chart)
    with open_app() as app:
        actor = staff_actor(app, token)
        with console.status(f"Computing {request.metric} on {request.engine}..."):
            report = app.analytics.service.run(actor=actor, request=request)
        if chart is not None and report.chart is None:
            raise InvalidInputError(f"the {request.metric} metric has no chart")
        if out is not None:
            app.analytics.files.write(report.table, out)
        if chart is not None and report.chart is not None:
            app.analytics.charts.render(report.chart, chart)
    if as_json:
        emit_json(_as_dict(report, limit))
        return
    _print(report, limit, written=[p for p in (out, chart) if p is not None])


def _as_dict(report: MetricReport, limit: int) -> dict[str, Any]:
    return {
        "metric": report.metric,
        "parameters": report.parameters,
        "rows": len(report.table.rows),
        "table": report.table.records()[:limit],
        "summary": report.summary.records() if report.summary is not None else None,
        "suppressed_groups": report.suppressed_groups,
        "consented_customers": report.consented_customers,
        "notes": list(report.notes),
    }


def _print(report: MetricReport, limit: int, *, written: list[Path]) -> None:
    if report.summary is not None:
        _table(f"{report.metric}: summary", report.summary, len(report.summary.rows))
    if limit:
        _table(f"{report.metric}: {len(report.table.rows)} row(s)", report.table, limit)
    console.print(f"groups under k suppressed: {report.suppressed_groups}")
    if report.consented_customers is not None:
        console.print(f"customers consenting to analytics: {report.consented_customers}")
    for note in report.notes:
        console.print(f"note: {note}")
    for path in written:
        console.print(f"wrote {path}")


def _table(title: str, table: ResultTable, limit: int) -> None:
    rows = [[_cell(v) for v in row] for row in table.rows[:limit]]
    emit_table(title, table.columns, rows)


def _cell(value: object) -> object:
    return f"{value:.4g}" if isinstance(value, float) else value


def _plain_metric(metric: str, summary: str, *, rows: int) -> None:
    """Register ``analytics METRIC``: a metric with only the common options."""

    def command(
        as_of: AsOf = None,
        engine: Engine = "duckdb",
        k: MinGroup = None,
        out: Out = None,
        chart: ChartOut = None,
        token: Token = None,
        limit: Limit = rows,
        as_json: AsJson = False,
    ) -> None:
        request = MetricRequest(metric, as_of=_day(as_of, "--as-of"), engine=engine, k=k)
        _execute(request, out=out, chart=chart, token=token, limit=limit, as_json=as_json)

    command.__doc__ = summary
    analytics_app.command(metric)(command)


_plain_metric(
    "rfm",
    "RFM scores (quintiles) and segments per customer; segment sizes; chart: segment sizes.",
    rows=10,
)


@analytics_app.command("clv")
def analytics_clv(
    as_of: AsOf = None,
    weeks: Annotated[float, typer.Option(help="Forecast horizon")] = 52.0,
    engine: Engine = "duckdb",
    k: MinGroup = None,
    out: Out = None,
    chart: ChartOut = None,
    token: Token = None,
    limit: Limit = 10,
    as_json: AsJson = False,
) -> None:
    """Customer lifetime value (BG/NBD x Gamma-Gamma); chart: CLV distribution."""
    request = MetricRequest("clv", as_of=_day(as_of, "--as-of"), engine=engine, k=k, weeks=weeks)
    _execute(request, out=out, chart=chart, token=token, limit=limit, as_json=as_json)


_plain_metric("cohorts", "Retention by first-purchase month; chart: cohort heatmap.", rows=24)
_plain_metric(
    "churn", "Churn risk (1 - P(alive)) per customer, in bands; chart: band sizes.", rows=10
)


@analytics_app.command("affinity")
def analytics_affinity(
    as_of: AsOf = None,
    top: Annotated[int, typer.Option(help="Pairs to keep, by lift")] = 50,
    engine: Engine = "duckdb",
    k: MinGroup = None,
    out: Out = None,
    token: Token = None,
    limit: Limit = 20,
    as_json: AsJson = False,
) -> None:
    """Product pairs bought together: support, confidence, lift (k distinct customers)."""
    request = MetricRequest("affinity", as_of=_day(as_of, "--as-of"), engine=engine, k=k, top=top)
    _execute(request, out=out, chart=None, token=token, limit=limit, as_json=as_json)


@analytics_app.command("funnel")
def analytics_funnel(
    steps: Annotated[list[str], typer.Argument(help="Event names, in order (2 to 6)")],
    window_hours: Annotated[float, typer.Option("--window-hours", help="Window")] = 24.0,
    since: Annotated[str | None, typer.Option(help="First day (default: 30 days back)")] = None,
    as_of: AsOf = None,
    engine: Engine = "duckdb",
    k: MinGroup = None,
    out: Out = None,
    chart: ChartOut = None,
    token: Token = None,
    as_json: AsJson = False,
) -> None:
    """Conversion through ordered event steps within a window per customer."""
    request = MetricRequest(
        "funnel",
        as_of=_day(as_of, "--as-of"),
        engine=engine,
        k=k,
        steps=tuple(steps),
        window_hours=window_hours,
        since=_day(since, "--since"),
    )
    _execute(request, out=out, chart=chart, token=token, limit=10, as_json=as_json)
