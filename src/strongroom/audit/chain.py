"""The hash chain and the leaves of the Merkle tree, both over one canonical form of each entry.

Each entry's chain hash covers its canonical form and the hash before it, which pinpoints the
first entry that was changed, inserted or deleted. Its leaf hash (RFC 6962) covers the same
canonical form and feeds the Merkle tree that signed checkpoints commit to.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime
from typing import Any

from strongroom.audit.merkle import leaf_hash
from strongroom.core.clock import ensure_utc
from strongroom.core.errors import AuditIntegrityError
from strongroom.core.trail import GENESIS_HASH, AuditDraft, AuditEntry, AuditHead, Origin

_DOMAIN = b"strongroom-audit-entry:v1\x00"
TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


def _origin(origin: Origin | None) -> Origin | None:
    """None for an origin that says nothing, so that it is stored and hashed alike everywhere."""
    if origin is None or not (origin.ip or origin.user_agent or origin.request_id):
        return None
    return origin


def canonical_document(seq: int, occurred_at: datetime, draft: AuditDraft) -> dict[str, Any]:
    """The entry as the hashes cover it: who, what, which records and classes, never values."""
    document: dict[str, Any] = {
        "seq": seq,
        "occurred_at": ensure_utc(occurred_at).strftime(TIME_FORMAT),
        "actor": draft.actor,
        "action": draft.action.stored_name,
        "outcome": draft.outcome.value,
        "resource_type": draft.resource_type,
        "resource_ids": list(draft.resource_ids),
        "data_classes": list(draft.data_classes),
        "purpose": draft.purpose,
        "detail": draft.detail,
    }
    origin = _origin(draft.origin)
    # Left out when unknown, so entries written before origins were recorded hash as they did.
    if origin is not None:
        document["origin"] = {
            "ip": origin.ip,
            "user_agent": origin.user_agent,
            "request_id": origin.request_id,
        }
    return document


def canonical_bytes(seq: int, occurred_at: datetime, draft: AuditDraft) -> bytes:
    """The entry as deterministic JSON: what both hashes cover, and what a SIEM receives."""
    document = canonical_document(seq, occurred_at, draft)
    return json.dumps(document, sort_keys=True, separators=(",", ":")).encode()


def _chain_hash(prev_hash: bytes, canonical: bytes) -> bytes:
    return hashlib.sha256(_DOMAIN + prev_hash + canonical).digest()


def entry_hash(prev_hash: bytes, seq: int, occurred_at: datetime, draft: AuditDraft) -> bytes:
    """SHA-256 over the previous hash and the canonical entry."""
    return _chain_hash(prev_hash, canonical_bytes(seq, occurred_at, draft))


def entry_leaf_hash(entry: AuditEntry) -> bytes:
    """The RFC 6962 leaf hash of the entry's canonical form, recomputed from its contents."""
    return leaf_hash(canonical_bytes(entry.seq, entry.occurred_at, entry.draft))


def extend(
    head: AuditHead, occurred_at: datetime, drafts: Iterable[AuditDraft]
) -> list[AuditEntry]:
    """Chain ``drafts`` after ``head``, in order, each with its leaf hash."""
    entries: list[AuditEntry] = []
    seq, prev = head.seq, head.entry_hash
    for given in drafts:
        seq += 1
        origin = _origin(given.origin)
        draft = given if origin is given.origin else replace(given, origin=origin)
        canonical = canonical_bytes(seq, occurred_at, draft)
        digest = _chain_hash(prev, canonical)
        entries.append(AuditEntry(seq, occurred_at, draft, prev, digest, leaf_hash(canonical)))
        prev = digest
    return entries


class ChainChecker:
    """Checks entries one at a time, in order, from a known position of the chain.

    Each ``check`` returns the entry's recomputed leaf hash (never the stored one) or raises
    AuditIntegrityError naming the first entry that was changed, inserted or deleted.
    """

    def __init__(self, *, after: int = 0, prev_hash: bytes = GENESIS_HASH) -> None:
        self.last_seq = after
        self.last_hash = prev_hash

    def check(self, entry: AuditEntry) -> bytes:
        expected = self.last_seq + 1
        if entry.seq != expected:
            raise AuditIntegrityError(
                f"audit entry {expected} is missing: the next stored entry is {entry.seq} "
                "(entries were deleted or renumbered)",
                seq=expected,
            )
        if entry.prev_hash != self.last_hash:
            raise AuditIntegrityError(
                f"audit entry {entry.seq} does not follow entry {entry.seq - 1}: "
                "its link to the previous entry was changed",
                seq=entry.seq,
            )
        canonical = canonical_bytes(entry.seq, entry.occurred_at, entry.draft)
        if _chain_hash(self.last_hash, canonical) != entry.entry_hash:
            raise AuditIntegrityError(
                f"audit entry {entry.seq} was changed after it was written: "
                "its hash does not match",
                seq=entry.seq,
            )
        leaf = leaf_hash(canonical)
        if leaf != entry.leaf_hash:
            raise AuditIntegrityError(
                f"audit entry {entry.seq} has a stored leaf hash that does not match its "
                "contents: the leaf hash was changed",
                seq=entry.seq,
            )
        self.last_seq, self.last_hash = entry.seq, entry.entry_hash
        return leaf

    def check_head(self, head: AuditHead) -> None:
        """The head must record the last entry checked: else the newest were deleted."""
        if head.seq != self.last_seq:
            raise AuditIntegrityError(
                f"the audit log ends at entry {self.last_seq} but its head records entry "
                f"{head.seq}: the newest entries were deleted",
                seq=self.last_seq + 1,
            )
        if head.entry_hash != self.last_hash:
            raise AuditIntegrityError(
                f"the audit head does not match entry {self.last_seq}: "
                "the newest entry was replaced",
                seq=self.last_seq,
            )


def verify_chain(entries: Iterable[AuditEntry], head: AuditHead) -> int:
    """Check every entry and the head; return how many entries were checked.

    Raises AuditIntegrityError naming the first entry that was changed, inserted or deleted.
    """
    checker = ChainChecker()
    for entry in entries:
        checker.check(entry)
    checker.check_head(head)
    return checker.last_seq
