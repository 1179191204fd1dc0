"""The import use case: a file of rows goes through the ingest path in batches, every run recorded.

Rows become the tracking calls the Segment API would have received and are stored by the
``Ingestor``, so they get the same classification, encryption, identity resolution, card
tokenisation and audit. Each batch commits on its own: an interrupted import keeps what it stored,
and a re-run stores nothing twice (message ids are derived from the rows; orders are unique per
source and order id). A batch the database refuses is retried unit by unit, so one bad row never
costs the good rows beside it.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace

from strongroom.collect.imports.keys import MessageKeys
from strongroom.collect.imports.mapping import ImportMapping
from strongroom.collect.imports.messages import MessageBuilder
from strongroom.collect.imports.units import Checked, Rejection, checked_units
from strongroom.collect.segment import ParsedRequest
from strongroom.collect.service import Ingestor
from strongroom.core.clock import Clock
from strongroom.core.errors import ConflictError, InvalidInputError, NotFoundError, StrongroomError
from strongroom.core.imports import (
    FileFormat,
    FileRecord,
    ImportCounts,
    ImportKind,
    ImportRun,
    ImportStatus,
    RecordReader,
    RejectSink,
)
from strongroom.core.models import Actor, Source
from strongroom.core.ports import AuditTrail, UnitOfWorkFactory
from strongroom.core.trail import AuditAction, AuditDraft, Outcome
from strongroom.vault.pseudonyms import PseudonymKeys

Progress = Callable[[int, int], None]  # (bytes read so far, rows read so far)
DEFAULT_BATCH_ROWS = 500


@dataclass(frozen=True, slots=True)
class ImportFile:
    """What is imported: into which source, as what, and the file (by base name and SHA-256)."""

    source_name: str
    kind: ImportKind
    file_format: FileFormat
    file_name: str
    file_sha256: str


@dataclass(slots=True)
class _Tally:
    rows: int = 0
    stored: int = 0
    duplicates: int = 0
    rejected: int = 0

    def counts(self) -> ImportCounts:
        return ImportCounts(self.rows, self.stored, self.duplicates, self.rejected)


class Importer:
    """Imports files of customers, orders or events for one data home."""

    def __init__(
        self,
        *,
        uow_factory: UnitOfWorkFactory,
        ingestor: Ingestor,
        audit: AuditTrail,
        clock: Clock,
        keys: PseudonymKeys,
        batch_rows: int = DEFAULT_BATCH_ROWS,
    ) -> None:
        self._uow_factory, self._ingestor, self._audit = uow_factory, ingestor, audit
        self._clock, self._keys, self._batch_rows = clock, keys, batch_rows

    def run(
        self,
        *,
        file: ImportFile,
        reader: RecordReader,
        mapping: ImportMapping,
        rejects: RejectSink,
        actor: Actor,
        progress: Progress | None = None,
    ) -> ImportRun:
        """Import every row of ``reader``; refused rows go to ``rejects``. Returns the run."""
        if mapping.kind is not file.kind:
            raise InvalidInputError(f"the mapping is for {mapping.kind} imports, not {file.kind}")
        source = self._source(file.source_name)
        run = self._start(source, file, actor)
        tally, error = _Tally(), None
        try:
            self._import(
                source,
                reader=reader,
                mapping=mapping,
                rejects=rejects,
                tally=tally,
                progress=progress or _quiet,
            )
        except StrongroomError as failure:
            error = failure.message
        except BaseException:
            self._finish(run, tally, "the import was interrupted", actor)
            raise
        return self._finish(run, tally, error, actor)

    def _import(
        self,
        source: Source,
        *,
        reader: RecordReader,
        mapping: ImportMapping,
        rejects: RejectSink,
        tally: _Tally,
        progress: Progress,
    ) -> None:
        builder = MessageBuilder(mapping.kind, mapping, MessageKeys(self._keys, source.id))
        batch: list[Checked] = []
        pending = 0
        records = _counted(reader.records(), tally)
        for item in checked_units(records, mapping=mapping, builder=builder):
            if isinstance(item, Rejection):
                _reject(rejects, tally, item)
                continue
            batch.append(item)
            pending += len(item.unit.rows)
            if pending >= self._batch_rows:
                self._store(source, batch, rejects, tally)
                batch, pending = [], 0
                progress(reader.bytes_read, tally.rows)
        self._store(source, batch, rejects, tally)
        progress(reader.bytes_read, tally.rows)

    def _store(
        self, source: Source, batch: Sequence[Checked], rejects: RejectSink, tally: _Tally
    ) -> None:
        fresh = self._fresh(source, batch, tally)
        if not fresh:
            return
        try:
            self._ingest(source, fresh)
        except (InvalidInputError, ConflictError):
            for item in fresh:  # one at a time, so the database's refusal names the row
                try:
                    self._ingest(source, [item])
                except (InvalidInputError, ConflictError) as error:
                    reason = f"the database refused it: {error.message}"
                    _reject(rejects, tally, Rejection(item.unit.rows, reason))
                    continue
                tally.stored += len(item.unit.rows)
            return
        tally.stored += sum(len(item.unit.rows) for item in fresh)

    def _fresh(self, source: Source, batch: Sequence[Checked], tally: _Tally) -> list[Checked]:
        """The units not stored before (by message id, and by order id for orders)."""
        ids = [item.unit.message_id for item in batch]
        order_ids = [item.unit.order_id for item in batch if item.unit.order_id]
        with self._uow_factory() as uow:
            known = uow.events.known_message_ids(source.id, ids) if ids else set()
            orders = uow.orders.known_external_ids(source.id, order_ids) if order_ids else set()
        fresh: list[Checked] = []
        for item in batch:
            order_id = item.unit.order_id
            if item.unit.message_id in known or (order_id is not None and order_id in orders):
                tally.duplicates += len(item.unit.rows)
                continue
            known.add(item.unit.message_id)
            if order_id is not None:
                orders.add(order_id)
            fresh.append(item)
        return fresh

    def _ingest(self, source: Source, items: Sequence[Checked]) -> None:
        calls = tuple(call for item in items for call in item.calls)
        self._ingestor.ingest(source=source, request=ParsedRequest(calls, None, None))

    def _source(self, name: str) -> Source:
        with self._uow_factory() as uow:
            source = uow.sources.by_name(name)
        if source is None:
            raise NotFoundError(
                f"no source named {name!r}: create it first with `strongroom sources create`"
            )
        if source.disabled_at is not None:
            raise InvalidInputError(f"source {name!r} is disabled; nothing can be imported into it")
        return source

    def _start(self, source: Source, file: ImportFile, actor: Actor) -> ImportRun:
        run = ImportRun(
            id=str(uuid.uuid4()),
            source_id=source.id,
            source_name=source.name,
            kind=file.kind,
            file_format=file.file_format,
            file_name=file.file_name,
            file_sha256=file.file_sha256,
            actor=actor.label,
            started_at=self._clock.now(),
        )
        with self._uow_factory() as uow:
            uow.imports.add(run)
            self._audit.record(uow, [_draft(run, AuditAction.IMPORT_STARTED, actor)])
            uow.commit()
        return run

    def _finish(self, run: ImportRun, tally: _Tally, error: str | None, actor: Actor) -> ImportRun:
        counts = tally.counts()
        status, error = _outcome(counts, error)
        finished = replace(
            run, status=status, counts=counts, finished_at=self._clock.now(), error=error
        )
        with self._uow_factory() as uow:
            uow.imports.update(finished)
            self._audit.record(uow, [_draft(finished, AuditAction.IMPORT_FINISHED, actor)])
            uow.commit()
        return finished


def list_imports(*, uow_factory: UnitOfWorkFactory, limit: int = 50) -> list[ImportRun]:
    """The newest import runs first."""
    with uow_factory() as uow:
        return uow.imports.list(limit=limit)


def _outcome(counts: ImportCounts, error: str | None) -> tuple[ImportStatus, str | None]:
    if error is None and counts.rows == 0:
        error = "the file holds no rows"
    elif error is None and counts.stored + counts.duplicates == 0:
        error = "no row could be imported: every row is in the reject file"
    if error is not None:
        return ImportStatus.FAILED, error
    if counts.rejected:
        return ImportStatus.COMPLETED_WITH_REJECTS, None
    return ImportStatus.COMPLETED, None


def _counted(records: Iterator[FileRecord], tally: _Tally) -> Iterator[FileRecord]:
    for record in records:
        tally.rows += 1
        yield record


def _reject(rejects: RejectSink, tally: _Tally, rejection: Rejection) -> None:
    for row in rejection.rows:
        rejects.write(row.line, rejection.reason, row.raw)
    tally.rejected += len(rejection.rows)


def _quiet(bytes_read: int, rows: int) -> None:
    """No progress display."""


def _draft(run: ImportRun, action: AuditAction, actor: Actor) -> AuditDraft:
    detail: dict[str, str | int] = {
        "source": run.source_name,
        "kind": run.kind.value,
        "format": run.file_format.value,
        "file_sha256": run.file_sha256,
        "status": run.status.value,
    }
    if action is AuditAction.IMPORT_FINISHED:
        counts = run.counts
        detail |= {
            "rows": counts.rows,
            "stored": counts.stored,
            "duplicates": counts.duplicates,
            "rejected": counts.rejected,
        }
    failed = run.status is ImportStatus.FAILED
    return AuditDraft(
        actor=actor.label,
        action=action,
        outcome=Outcome.FAILED if failed else Outcome.SUCCESS,
        resource_type="import",
        resource_ids=(run.id,),
        purpose="collection",
        detail=detail,
        origin=actor.origin,
    )
