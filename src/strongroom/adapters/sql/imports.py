"""SQL repository of import runs."""

from __future__ import annotations

import builtins
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection, Row

from strongroom.adapters.paging import check_limit
from strongroom.adapters.sql._support import domain_errors, write
from strongroom.adapters.sql.tables_imports import import_runs
from strongroom.core.errors import NotFoundError
from strongroom.core.imports import FileFormat, ImportCounts, ImportKind, ImportRun, ImportStatus


def _row(run: ImportRun) -> dict[str, Any]:
    return {
        "id": run.id,
        "source_id": run.source_id,
        "source_name": run.source_name,
        "kind": run.kind.value,
        "file_format": run.file_format.value,
        "file_name": run.file_name,
        "file_sha256": run.file_sha256,
        "actor": run.actor,
        "status": run.status.value,
        "rows_read": run.counts.rows,
        "rows_stored": run.counts.stored,
        "rows_duplicate": run.counts.duplicates,
        "rows_rejected": run.counts.rejected,
        "started_at": run.started_at,
        "finished_at": run.finished_at,
        "error": run.error,
    }


def _run(row: Row[Any]) -> ImportRun:
    return ImportRun(
        id=row.id,
        source_id=row.source_id,
        source_name=row.source_name,
        kind=ImportKind(row.kind),
        file_format=FileFormat(row.file_format),
        file_name=row.file_name,
        file_sha256=row.file_sha256,
        actor=row.actor,
        started_at=row.started_at,
        status=ImportStatus(row.status),
        counts=ImportCounts(row.rows_read, row.rows_stored, row.rows_duplicate, row.rows_rejected),
        finished_at=row.finished_at,
        error=row.error,
    )


class SqlImportRunRepository:
    """Import runs, one row each."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def add(self, run: ImportRun) -> None:
        write(self._connection, insert(import_runs), [_row(run)])

    def update(self, run: ImportRun) -> None:
        values = {k: v for k, v in _row(run).items() if k != "id"}
        statement = update(import_runs).where(import_runs.c.id == run.id).values(values)
        with domain_errors():
            updated = self._connection.execute(statement).rowcount
        if updated != 1:
            raise NotFoundError(f"no import run with id {run.id!r}")

    def list(self, *, limit: int = 50) -> builtins.list[ImportRun]:
        check_limit(limit)
        statement = (
            select(import_runs)
            .order_by(import_runs.c.started_at.desc(), import_runs.c.id)
            .limit(limit)
        )
        return [_run(row) for row in self._connection.execute(statement)]
