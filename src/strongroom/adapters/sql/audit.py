"""SQL repository for the audit log: the entries and the single head row that orders appends."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection, Row

from strongroom.adapters.sql._support import domain_errors, write
from strongroom.adapters.sql.tables import AUDIT_HEAD_ID, audit_entries, audit_head
from strongroom.core.trail import AuditAction, AuditDraft, AuditEntry, AuditHead, Outcome


def _entry_row(entry: AuditEntry) -> dict[str, Any]:
    draft = entry.draft
    return {
        "seq": entry.seq,
        "occurred_at": entry.occurred_at,
        "actor": draft.actor,
        "action": draft.action.stored_name,
        "outcome": draft.outcome.value,
        "resource_type": draft.resource_type,
        "resource_ids": list(draft.resource_ids),
        "data_classes": list(draft.data_classes),
        "purpose": draft.purpose,
        "detail": dict(draft.detail),
        "prev_hash": entry.prev_hash,
        "entry_hash": entry.entry_hash,
    }


def _entry(row: Row[Any]) -> AuditEntry:
    draft = AuditDraft(
        actor=row.actor,
        action=AuditAction.from_stored(row.action),
        outcome=Outcome(row.outcome),
        resource_type=row.resource_type,
        resource_ids=tuple(row.resource_ids),
        data_classes=tuple(row.data_classes),
        purpose=row.purpose,
        detail=dict(row.detail),
    )
    return AuditEntry(
        seq=row.seq,
        occurred_at=row.occurred_at,
        draft=draft,
        prev_hash=bytes(row.prev_hash),
        entry_hash=bytes(row.entry_hash),
    )


class SqlAuditRepository:
    """The append-only audit log; the head row is locked to keep appends in sequence."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def lock_head(self) -> AuditHead:
        # A row lock on PostgreSQL; on SQLite the BEGIN IMMEDIATE transaction already holds
        # the database's only write lock, and FOR UPDATE is left out of the SQL.
        return self._read_head(lock=True)

    def head(self) -> AuditHead:
        return self._read_head(lock=False)

    def _read_head(self, *, lock: bool) -> AuditHead:
        statement = select(audit_head.c.seq, audit_head.c.entry_hash).where(
            audit_head.c.id == AUDIT_HEAD_ID
        )
        if lock:
            statement = statement.with_for_update()
        row = self._connection.execute(statement).one()
        return AuditHead(seq=row.seq, entry_hash=bytes(row.entry_hash))

    def append(self, entries: Sequence[AuditEntry]) -> None:
        if not entries:
            return
        write(self._connection, insert(audit_entries), [_entry_row(e) for e in entries])
        last = entries[-1]
        statement = (
            update(audit_head)
            .where(audit_head.c.id == AUDIT_HEAD_ID)
            .values(seq=last.seq, entry_hash=last.entry_hash)
        )
        with domain_errors():
            self._connection.execute(statement)

    def scan(self, *, batch_size: int = 5000) -> Iterator[AuditEntry]:
        """Every entry in sequence order, read a batch at a time (keyset pagination)."""
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        return self._batches(batch_size)

    def _batches(self, batch_size: int) -> Iterator[AuditEntry]:
        after: int | None = None
        while True:
            statement = select(audit_entries).order_by(audit_entries.c.seq).limit(batch_size)
            if after is not None:
                statement = statement.where(audit_entries.c.seq > after)
            batch = [_entry(row) for row in self._connection.execute(statement)]
            yield from batch
            if len(batch) < batch_size:
                return
            after = batch[-1].seq
