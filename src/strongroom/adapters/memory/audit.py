"""Fake of the audit log's repository: entries, the head, and signed checkpoints."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace

from strongroom.adapters.memory.store import Staging, as_utc, check_new
from strongroom.core.errors import NotFoundError
from strongroom.core.trail import AuditCheckpoint, AuditEntry, AuditHead


class MemoryAuditRepository:
    """Fake of AuditRepository; units of work already run one at a time, so locking is free."""

    def __init__(self, staging: Staging) -> None:
        self._staging = staging

    def lock_head(self) -> AuditHead:
        return self._staging.store.audit_head

    def head(self) -> AuditHead:
        return self._staging.store.audit_head

    def append(self, entries: Sequence[AuditEntry]) -> None:
        if not entries:
            return
        store = self._staging.store
        check_new(store.audit_entries, (e.seq for e in entries), "audit sequence number")
        store.audit_entries.update((e.seq, as_utc(e)) for e in entries)
        store.audit_head = AuditHead(entries[-1].seq, entries[-1].entry_hash)

    def scan(self, *, batch_size: int = 5000, after: int = 0) -> Iterator[AuditEntry]:
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        stored = self._staging.store.audit_entries
        return iter([stored[seq] for seq in sorted(stored) if seq > after])

    def leaf_hashes(self, *, stop: int) -> list[bytes]:
        stored = self._staging.store.audit_entries
        return [stored[seq].leaf_hash for seq in sorted(stored) if seq <= stop]

    def add_checkpoint(self, checkpoint: AuditCheckpoint) -> None:
        stored = self._staging.store.audit_checkpoints
        check_new(stored, [checkpoint.tree_size], "checkpoint tree size")
        kept = replace(checkpoint, export_errors=dict(checkpoint.export_errors))
        stored[checkpoint.tree_size] = as_utc(kept)

    def latest_checkpoint(self) -> AuditCheckpoint | None:
        stored = self._staging.store.audit_checkpoints
        return stored[max(stored)] if stored else None

    def checkpoints(self) -> list[AuditCheckpoint]:
        stored = self._staging.store.audit_checkpoints
        return [stored[size] for size in sorted(stored)]

    def set_export_errors(self, tree_size: int, errors: dict[str, str]) -> None:
        stored = self._staging.store.audit_checkpoints
        if tree_size not in stored:
            raise NotFoundError(f"no audit checkpoint of tree size {tree_size}")
        stored[tree_size] = replace(stored[tree_size], export_errors=dict(errors))
