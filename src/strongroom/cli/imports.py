"""``strongroom import FILE`` and ``strongroom imports list``: files of rows into the store."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from strongroom.bootstrap.imports import ImportOutcome, ImportProgress, import_runs, run_import
from strongroom.cli.context import local_actor, open_app
from strongroom.cli.output import console, emit_error, emit_json, emit_table, err_console
from strongroom.core.imports import FileFormat, ImportKind, ImportRun, ImportStatus

imports_app = typer.Typer(help="Past runs of `strongroom import`.", no_args_is_help=True)
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def import_file(
    file: Annotated[Path, typer.Argument(help="The file to import", dir_okay=False)],
    source: Annotated[str, typer.Option(help="The source the rows come from (sources list)")],
    kind: Annotated[ImportKind, typer.Option(help="What each row describes")],
    file_format: Annotated[
        FileFormat | None,
        typer.Option("--format", help="csv, jsonl or parquet; by default from the file name"),
    ] = None,
    mapping: Annotated[
        Path | None,
        typer.Option(help="A TOML or JSON file mapping columns to fields (see docs/import.md)"),
    ] = None,
    rejects: Annotated[
        Path | None,
        typer.Option(help="Where refused rows go; default FILE's name with .rejects beside it"),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Import customers, orders or events from a CSV, JSON Lines or Parquet file.

    Rows take the same path as tracked data (classification, encryption, identity resolution,
    card tokenisation, audit). Refused rows go to a reject file (mode 0600: it holds the rows'
    values). Running it again stores nothing twice.
    """
    with open_app() as app, _progress_bar(enabled=not as_json) as progress:
        outcome = run_import(
            app,
            file,
            source=source,
            kind=kind,
            actor=local_actor(),
            file_format=file_format,
            mapping_path=mapping,
            rejects_path=rejects,
            progress=progress,
        )
    run = outcome.run
    if as_json:
        emit_json(_as_dict(run) | {"rejects_file": _text(outcome.rejects)})
    else:
        _summary(outcome)
    if run.status is ImportStatus.FAILED:
        emit_error(run.error or "the import failed")
        raise typer.Exit(1)


@imports_app.command("list")
def imports_list(
    limit: Annotated[int, typer.Option(min=1, max=1000, help="How many runs, newest first")] = 50,
    as_json: JsonOption = False,
) -> None:
    """List past imports: file, source, kind, counts and outcome."""
    with open_app() as app:
        runs = import_runs(app, limit=limit)
    if as_json:
        emit_json([_as_dict(run) for run in runs])
        return
    rows = [
        (
            run.started_at.isoformat(timespec="seconds"),
            run.file_name,
            run.source_name,
            run.kind.value,
            run.counts.rows,
            run.counts.stored,
            run.counts.duplicates,
            run.counts.rejected,
            run.status.value,
            run.id,
        )
        for run in runs
    ]
    columns = ["started", "file", "source", "kind", "rows", "stored", "duplicates", "rejected"]
    emit_table("Imports", [*columns, "status", "id"], rows)


@contextmanager
def _progress_bar(*, enabled: bool) -> Iterator[ImportProgress | None]:
    if not enabled:
        yield None
        return
    columns = (
        TextColumn("Importing"),
        BarColumn(),
        DownloadColumn(),
        TextColumn("{task.fields[rows]:,} rows"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=err_console, transient=True) as bar:
        task = bar.add_task("import", total=None, rows=0)

        def update(done: int, total: int, rows: int) -> None:
            bar.update(task, completed=done, total=total, rows=rows)

        yield update


def _summary(outcome: ImportOutcome) -> None:
    run = outcome.run
    counts = run.counts
    rows = [
        ("rows read", counts.rows),
        ("stored", counts.stored),
        ("already there (not stored again)", counts.duplicates),
        ("rejected", counts.rejected),
        ("status", run.status.value),
        ("import id", run.id),
    ]
    emit_table(f"Import of {run.file_name} into {run.source_name} ({run.kind})", ["", ""], rows)
    if outcome.rejects is not None:
        console.print(
            f"Rejected rows: {outcome.rejects} (mode 0600: it holds the rows' own values; "
            "delete it once dealt with)"
        )


def _as_dict(run: ImportRun) -> dict[str, Any]:
    return {
        "id": run.id,
        "source": run.source_name,
        "kind": run.kind.value,
        "format": run.file_format.value,
        "file": run.file_name,
        "sha256": run.file_sha256,
        "actor": run.actor,
        "status": run.status.value,
        "rows": run.counts.rows,
        "stored": run.counts.stored,
        "duplicates": run.counts.duplicates,
        "rejected": run.counts.rejected,
        "started_at": run.started_at.isoformat(),
        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
        "error": run.error,
    }


def _text(path: Path | None) -> str | None:
    return None if path is None else str(path)
