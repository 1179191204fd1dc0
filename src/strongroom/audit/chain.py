"""The hash chain: each entry's hash covers its canonical form and the hash before it."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from datetime import datetime

from strongroom.core.clock import ensure_utc
from strongroom.core.errors import AuditIntegrityError
from strongroom.core.trail import GENESIS_HASH, AuditDraft, AuditEntry, AuditHead

_DOMAIN = b"strongroom-audit-entry:v1\x00"


def canonical_bytes(seq: int, occurred_at: datetime, draft: AuditDraft) -> bytes:
    """The entry as deterministic JSON: what the hash covers, and what a SIEM would receive."""
    document = {
        "seq": seq,
        "occurred_at": ensure_utc(occurred_at).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "actor": draft.actor,
        "action": draft.action.stored_name,
        "outcome": draft.outcome.value,
        "resource_type": draft.resource_type,
        "resource_ids": list(draft.resource_ids),
        "data_classes": list(draft.data_classes),
        "purpose": draft.purpose,
        "detail": draft.detail,
    }
    return json.dumps(document, sort_keys=True, separators=(",", ":")).encode()


def entry_hash(prev_hash: bytes, seq: int, occurred_at: datetime, draft: AuditDraft) -> bytes:
    """SHA-256 over the previous hash and the canonical entry."""
    return hashlib.sha256(_DOMAIN + prev_hash + canonical_bytes(seq, occurred_at, draft)).digest()


def extend(
    head: AuditHead, occurred_at: datetime, drafts: Iterable[AuditDraft]
) -> list[AuditEntry]:
    """Chain ``drafts`` after ``head``, in order."""
    entries: list[AuditEntry] = []
    seq, prev = head.seq, head.entry_hash
    for draft in drafts:
        seq += 1
        digest = entry_hash(prev, seq, occurred_at, draft)
        entries.append(AuditEntry(seq, occurred_at, draft, prev, digest))
        prev = digest
    return entries


def verify_chain(entries: Iterable[AuditEntry], head: AuditHead) -> int:
    """Check every entry and the head; return how many entries were checked.

    Raises AuditIntegrityError naming the first entry that was changed, inserted or deleted.
    """
    expected_seq, prev = 1, GENESIS_HASH
    for entry in entries:
        if entry.seq != expected_seq:
            raise AuditIntegrityError(
                f"audit entry {expected_seq} is missing: the next stored entry is {entry.seq} "
                "(entries were deleted or renumbered)",
                seq=expected_seq,
            )
        if entry.prev_hash != prev:
            raise AuditIntegrityError(
                f"audit entry {entry.seq} does not follow entry {entry.seq - 1}: "
                "its link to the previous entry was changed",
                seq=entry.seq,
            )
        recomputed = entry_hash(prev, entry.seq, entry.occurred_at, entry.draft)
        if recomputed != entry.entry_hash:
            raise AuditIntegrityError(
                f"audit entry {entry.seq} was changed after it was written: "
                "its hash does not match",
                seq=entry.seq,
            )
        prev = entry.entry_hash
        expected_seq += 1
    _check_head(expected_seq - 1, prev, head)
    return expected_seq - 1


def _check_head(last_seq: int, last_hash: bytes, head: AuditHead) -> None:
    if head.seq != last_seq:
        raise AuditIntegrityError(
            f"the audit log ends at entry {last_seq} but its head records entry {head.seq}: "
            "the newest entries were deleted",
            seq=last_seq + 1,
        )
    if head.entry_hash != last_hash:
        raise AuditIntegrityError(
            f"the audit head does not match entry {last_seq}: the newest entry was replaced",
            seq=last_seq,
        )
