"""``strongroom lake export|compact|status`` and ``strongroom warehouse build|status``."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import timedelta
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, Progress, TaskID, TaskProgressColumn, TimeElapsedColumn

from strongroom.analytics.lake import DEFAULT_PAGE, DEFAULT_SETTLE, ExportReport, LakeStatus
from strongroom.cli.context import local_actor, open_app
from strongroom.cli.output import console, emit_json, emit_table, err_console
from strongroom.core.lake import Feed

lake_app = typer.Typer(
    help="The Parquet lake: pseudonymized events and orders.", no_args_is_help=True
)
warehouse_app = typer.Typer(help="The DuckDB analytics warehouse.", no_args_is_help=True)
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]


@contextmanager
def _bars(*, enabled: bool) -> Iterator[Callable[[str, int, int | None], None]]:
    """A callback (task, advance, total) drawing one bar per task on stderr."""
    columns = (BarColumn(), TaskProgressColumn(), TimeElapsedColumn())
    shown = enabled and err_console.is_terminal
    with Progress("{task.description}", *columns, console=err_console, disable=not shown) as bars:
        tasks: dict[str, TaskID] = {}

        def advance(name: str, count: int, total: int | None) -> None:
            if name not in tasks:
                tasks[name] = bars.add_task(name, total=total)
            bars.advance(tasks[name], count)

        yield advance


@lake_app.command("export")
def lake_export(
    settle_seconds: Annotated[
        int,
        typer.Option(min=0, help="Leave rows received this recently for the next run"),
    ] = int(DEFAULT_SETTLE.total_seconds()),
    page_size: Annotated[
        int, typer.Option(min=1, max=100_000, help="Rows a batch (one file per partition)")
    ] = DEFAULT_PAGE,
    as_json: JsonOption = False,
) -> None:
    """Export events, orders and order lines received since the last export, pseudonymized."""
    with open_app() as app:
        exporter = app.lake.exporter
        pending = exporter.status().pending
        with _bars(enabled=not as_json) as advance:
            report = exporter.export(
                actor=local_actor(),
                settle=timedelta(seconds=settle_seconds),
                page_size=page_size,
                progress=lambda feed, n: advance(f"Exporting {feed.value}", n, pending[feed]),
            )
        location = exporter.lake.location
    if as_json:
        emit_json({"lake": location, **_export_json(report)})
        return
    _print_export(location, report)


def _export_json(report: ExportReport) -> dict[str, Any]:
    data = asdict(report)
    data["until"] = report.until.isoformat() if report.until else None
    data.pop("started_at")
    return data


def _print_export(location: str, report: ExportReport) -> None:
    if report.batches == 0:
        console.print(f"Nothing new to export to {location} (the lake is up to date)")
    else:
        console.print(
            f"Exported {report.events} events, {report.orders} orders and "
            f"{report.order_lines} order lines to {location} "
            f"in {report.batches} batches (last batch {report.last_batch})"
        )
    notes = [
        (report.refunds, "refund orders (negative totals) kept as they are"),
        (report.zero_value, "orders of zero value kept as they are"),
        (report.future_dated, "rows dated in the future, kept in their own date partitions"),
        (report.recovery.orphan_files, "files of an interrupted export removed first"),
        (report.recovery.temp_files, "half-written temporary files removed first"),
    ]
    for count, note in notes:
        if count:
            console.print(f"  {count} {note}")
    if report.until is not None:
        console.print(f"  rows received after {report.until.isoformat()} wait for the next run")


@lake_app.command("compact")
def lake_compact(
    min_files: Annotated[
        int, typer.Option(min=2, help="Merge partitions holding at least this many files")
    ] = 2,
    as_json: JsonOption = False,
) -> None:
    """Merge each partition's small files into one file, atomically, keeping every row."""
    with open_app() as app:
        report = app.lake.exporter.compact(actor=local_actor(), min_files=min_files)
    if as_json:
        emit_json(asdict(report))
        return
    console.print(
        f"Merged {report.partitions} partitions ({report.rows} rows): "
        f"{report.files_before} files before, {report.files_after} after"
    )


@lake_app.command("status")
def lake_status(as_json: JsonOption = False) -> None:
    """Show the lake's batches, watermarks, partitions and what awaits export."""
    with open_app() as app:
        status = app.lake.exporter.status()
    if as_json:
        emit_json(_status_json(status))
        return
    manifest = status.manifest
    console.print(f"Lake {status.location}: last batch {manifest.last_batch}")
    for feed in Feed:
        mark = manifest.marks.get(feed)
        where = mark.at.isoformat() if mark else "nothing exported yet"
        console.print(f"  {feed.value}: up to {where}; {status.pending[feed]} waiting")
    rows = [(p.table.value, p.date, p.source, p.files, p.rows, p.bytes) for p in status.partitions]
    emit_table("Partitions", ["table", "date", "source", "files", "rows", "bytes"], rows)


def _status_json(status: LakeStatus) -> dict[str, Any]:
    manifest = status.manifest
    return {
        "lake": status.location,
        "last_batch": manifest.last_batch,
        "rows": {table.value: n for table, n in manifest.rows.items()},
        "marks": {f.value: {"at": m.at.isoformat(), "id": m.id} for f, m in manifest.marks.items()},
        "pending": {feed.value: n for feed, n in status.pending.items()},
        "partitions": [{**asdict(p), "table": p.table.value} for p in status.partitions],
    }


@warehouse_app.command("build")
def warehouse_build(as_json: JsonOption = False) -> None:
    """Build or refresh the warehouse from the lake and the store (nothing personal in it)."""
    with open_app() as app:
        builder = app.lake.warehouse
        with _bars(enabled=not as_json) as advance:
            report = builder.build(
                actor=local_actor(), progress=lambda task, n: advance(task, n, None)
            )
        location = builder.status().location
    if as_json:
        emit_json({"warehouse": location, **asdict(report)})
        return
    if report.lake_empty:
        console.print(
            f"The lake is empty: {location} holds the warehouse tables, empty. "
            "Run `strongroom lake export` first, then build again."
        )
        return
    loaded = ", ".join(f"{n} {table}" for table, n in report.loaded.items())
    console.print(f"Built {location} up to lake batch {report.lake_batch}: loaded {loaded}")
    console.print(
        f"  {report.customers} customers; {report.erased_left_out} erased customers left out; "
        f"{report.owners_changed} facts moved to their current owner"
    )


@warehouse_app.command("status")
def warehouse_status(as_json: JsonOption = False) -> None:
    """Show the warehouse file, the lake batch it holds and its rows per table."""
    with open_app() as app:
        status = app.lake.warehouse.status()
    if as_json:
        emit_json(asdict(status))
        return
    if not status.exists:
        console.print(f"No warehouse at {status.location} yet: run `strongroom warehouse build`")
        return
    built = status.built_at.isoformat() if status.built_at else "never"
    console.print(f"Warehouse {status.location}: lake batch {status.lake_batch}, built {built}")
    emit_table("Tables", ["table", "rows"], sorted(status.rows.items()))
