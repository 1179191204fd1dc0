"""The import run repository behaves alike on the fakes, SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from strongroom.core.errors import ConflictError, NotFoundError
from strongroom.core.imports import FileFormat, ImportCounts, ImportKind, ImportRun, ImportStatus
from strongroom.core.models import Channel, Source, WriteKey
from strongroom.core.ports import UnitOfWorkFactory

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


def _source(factory: UnitOfWorkFactory) -> Source:
    source = Source("src-1", "till", Channel.POS, NOW)
    with factory() as uow:
        uow.sources.add(source, WriteKey("key-1", source.id, b"h" * 32, "srk_abc", NOW))
        uow.commit()
    return source


def _run(source: Source, number: int) -> ImportRun:
    return ImportRun(
        id=f"run-{number}",
        source_id=source.id,
        source_name=source.name,
        kind=ImportKind.ORDERS,
        file_format=FileFormat.CSV,
        file_name="orders.csv",
        file_sha256="ab" * 32,
        actor="local:ops",
        started_at=NOW + timedelta(minutes=number),
    )


def test_runs_are_added_updated_and_listed_newest_first(uow_factory: UnitOfWorkFactory) -> None:
    source = _source(uow_factory)
    first, second = _run(source, 1), _run(source, 2)
    finished = replace(
        first,
        status=ImportStatus.COMPLETED_WITH_REJECTS,
        counts=ImportCounts(rows=10, stored=8, duplicates=1, rejected=1),
        finished_at=NOW + timedelta(minutes=5),
    )
    with uow_factory() as uow:
        uow.imports.add(first)
        uow.imports.add(second)
        uow.imports.update(finished)
        uow.commit()
    with uow_factory() as uow:
        assert uow.imports.list() == [second, finished]
        assert uow.imports.list(limit=1) == [second]


def test_an_unknown_run_cannot_be_updated_nor_a_run_added_twice(
    uow_factory: UnitOfWorkFactory,
) -> None:
    run = _run(_source(uow_factory), 1)
    with uow_factory() as uow:
        with pytest.raises(NotFoundError):
            uow.imports.update(run)
        uow.imports.add(run)
        with pytest.raises(ConflictError):
            uow.imports.add(run)
