"""SQL repository for the audit log: the entries, the head row that orders appends, checkpoints."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection, Row

from strongroom.adapters.sql._support import domain_errors, write
from strongroom.adapters.sql.tables import (
    AUDIT_HEAD_ID,
    audit_checkpoints,
    audit_entries,
    audit_head,
)
from strongroom.core.errors import NotFoundError
from strongroom.core.trail import (
    AuditAction,
    AuditCheckpoint,
    AuditDraft,
    AuditEntry,
    AuditHead,
    Origin,
    Outcome,
)

_HASH_BYTES = 32


def _entry_row(entry: AuditEntry) -> dict[str, Any]:
    draft, origin = entry.draft, entry.draft.origin or Origin()
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
        "leaf_hash": entry.leaf_hash,
        "ip": origin.ip,
        "user_agent": origin.user_agent,
        "request_id": origin.request_id,
    }


def _entry(row: Row[Any]) -> AuditEntry:
    origin = None
    if row.ip is not None or row.user_agent is not None or row.request_id is not None:
        origin = Origin(row.ip, row.user_agent, row.request_id)
    draft = AuditDraft(
        actor=row.actor,
        action=AuditAction.from_stored(row.action),
        outcome=Outcome(row.outcome),
        resource_type=row.resource_type,
        resource_ids=tuple(row.resource_ids),
        data_classes=tuple(row.data_classes),
        purpose=row.purpose,
        detail=dict(row.detail),
        origin=origin,
    )
    return AuditEntry(
        seq=row.seq,
        occurred_at=row.occurred_at,
        draft=draft,
        prev_hash=bytes(row.prev_hash),
        entry_hash=bytes(row.entry_hash),
        leaf_hash=bytes(row.leaf_hash),
    )


def _checkpoint(row: Row[Any]) -> AuditCheckpoint:
    frontier = bytes(row.frontier)
    return AuditCheckpoint(
        tree_size=row.tree_size,
        root_hash=bytes(row.root_hash),
        created_at=row.created_at,
        key_version=row.key_version,
        document=row.document,
        frontier=tuple(frontier[i : i + _HASH_BYTES] for i in range(0, len(frontier), _HASH_BYTES)),
        export_errors=dict(row.export_errors),
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

    def scan(self, *, batch_size: int = 5000, after: int = 0) -> Iterator[AuditEntry]:
        """Every entry above ``after`` in sequence order, a batch at a time (keyset pagination)."""
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        return self._batches(batch_size, after)

    def _batches(self, batch_size: int, after: int) -> Iterator[AuditEntry]:
        while True:
            statement = (
                select(audit_entries)
                .where(audit_entries.c.seq > after)
                .order_by(audit_entries.c.seq)
                .limit(batch_size)
            )
            batch = [_entry(row) for row in self._connection.execute(statement)]
            yield from batch
            if len(batch) < batch_size:
                return
            after = batch[-1].seq

    def leaf_hashes(self, *, stop: int) -> list[bytes]:
        statement = (
            select(audit_entries.c.leaf_hash)
            .where(audit_entries.c.seq <= stop)
            .order_by(audit_entries.c.seq)
        )
        return [bytes(leaf) for leaf in self._connection.execute(statement).scalars()]

    def add_checkpoint(self, checkpoint: AuditCheckpoint) -> None:
        row = {
            "tree_size": checkpoint.tree_size,
            "root_hash": checkpoint.root_hash,
            "created_at": checkpoint.created_at,
            "key_version": checkpoint.key_version,
            "document": checkpoint.document,
            "frontier": b"".join(checkpoint.frontier),
            "export_errors": dict(checkpoint.export_errors),
        }
        write(self._connection, insert(audit_checkpoints), [row])

    def latest_checkpoint(self) -> AuditCheckpoint | None:
        statement = select(audit_checkpoints).order_by(audit_checkpoints.c.tree_size.desc())
        row = self._connection.execute(statement.limit(1)).first()
        return None if row is None else _checkpoint(row)

    def checkpoints(self) -> list[AuditCheckpoint]:
        statement = select(audit_checkpoints).order_by(audit_checkpoints.c.tree_size)
        return [_checkpoint(row) for row in self._connection.execute(statement)]

    def set_export_errors(self, tree_size: int, errors: dict[str, str]) -> None:
        statement = (
            update(audit_checkpoints)
            .where(audit_checkpoints.c.tree_size == tree_size)
            .values(export_errors=dict(errors))
        )
        with domain_errors():
            result = self._connection.execute(statement)
        if result.rowcount == 0:
            raise NotFoundError(f"no audit checkpoint of tree size {tree_size}")
