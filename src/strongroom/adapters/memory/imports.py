"""In-memory fake of the import run repository."""

from __future__ import annotations

import builtins

from strongroom.adapters.memory.store import Staging, as_utc, check_new
from strongroom.adapters.paging import check_limit
from strongroom.core.errors import NotFoundError
from strongroom.core.imports import ImportRun


class MemoryImportRunRepository:
    """Fake of ImportRunRepository."""

    def __init__(self, staging: Staging) -> None:
        self._staging = staging

    def add(self, run: ImportRun) -> None:
        stored = self._staging.store.import_runs
        check_new(stored, [run.id], "import run id")
        stored[run.id] = as_utc(run)

    def update(self, run: ImportRun) -> None:
        stored = self._staging.store.import_runs
        if run.id not in stored:
            raise NotFoundError(f"no import run with id {run.id!r}")
        stored[run.id] = as_utc(run)

    def list(self, *, limit: int = 50) -> builtins.list[ImportRun]:
        check_limit(limit)
        runs = sorted(self._staging.store.import_runs.values(), key=lambda r: r.id)
        runs.sort(key=lambda r: r.started_at, reverse=True)
        return runs[:limit]
