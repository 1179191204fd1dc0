"""Inclusion proofs: evidence, checkable by anyone, that an entry is in a signed tree head.

A third party needs only the proof's JSON: the leaf hash is SHA-256(0x00 || entry) of the
canonical entry it carries, the audit path leads from it to the root (RFC 6962 / RFC 9162
verification), and that root is the one the Ed25519-signed checkpoint states.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from strongroom.audit import merkle
from strongroom.audit.chain import canonical_bytes, entry_leaf_hash
from strongroom.core.errors import AuditIntegrityError, NotFoundError
from strongroom.core.models import Actor
from strongroom.core.ports import AuditTrail, UnitOfWorkFactory
from strongroom.core.trail import AuditAction, AuditCheckpoint, AuditDraft, AuditEntry, Outcome


@dataclass(frozen=True, slots=True)
class InclusionProof:
    seq: int
    entry: str  # the canonical entry the leaf hash covers
    leaf_hash: bytes
    tree_size: int
    root_hash: bytes
    path: tuple[bytes, ...]
    checkpoint: str | None  # the signed checkpoint of ``tree_size``; None: the unsigned tree

    @property
    def leaf_index(self) -> int:
        return self.seq - 1

    def as_dict(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "entry": self.entry,
            "leaf_index": self.leaf_index,
            "leaf_hash": self.leaf_hash.hex(),
            "tree_size": self.tree_size,
            "root_hash": self.root_hash.hex(),
            "inclusion_proof": [node.hex() for node in self.path],
            "checkpoint": json.loads(self.checkpoint) if self.checkpoint else None,
        }


def prove_entry(
    *,
    uow_factory: UnitOfWorkFactory,
    audit: AuditTrail,
    actor: Actor,
    seq: int,
    reader: UnitOfWorkFactory | None = None,
) -> InclusionProof:
    """Entry ``seq``'s proof against the latest checkpoint that covers it, else the whole tree.

    ``reader``: read-only units of work for reading the leaves (default ``uow_factory``).
    """
    with (reader or uow_factory)() as uow:
        head = uow.audit.head()
        if not 1 <= seq <= head.seq:
            raise NotFoundError(
                f"there is no audit entry {seq}: the log holds entries 1 to {head.seq}"
            )
        latest = uow.audit.latest_checkpoint()
        signed = latest if latest is not None and seq <= latest.tree_size else None
        size = signed.tree_size if signed is not None else head.seq
        entry = next(uow.audit.scan(after=seq - 1, batch_size=1), None)
        leaves = uow.audit.leaf_hashes(stop=size)
    proof = _proof(seq, entry, leaves, signed)
    with uow_factory() as uow:
        audit.record(uow, [_proof_read(actor, seq, size)])
        uow.commit()
    return proof


def _proof(
    seq: int, entry: AuditEntry | None, leaves: Sequence[bytes], signed: AuditCheckpoint | None
) -> InclusionProof:
    if entry is None or entry.seq != seq or len(leaves) < seq:
        raise AuditIntegrityError(f"audit entry {seq} is missing from the log", seq=seq)
    if leaves[seq - 1] != entry_leaf_hash(entry):
        raise AuditIntegrityError(
            f"audit entry {seq} was changed: its contents no longer give its leaf hash",
            seq=seq,
        )
    root = merkle.root(leaves)
    if signed is not None and (len(leaves) != signed.tree_size or root != signed.root_hash):
        raise AuditIntegrityError(
            f"the log no longer matches its checkpoint of tree size {signed.tree_size}: "
            "run `strongroom audit verify` to find where",
            checkpoint=f"database checkpoint {signed.tree_size}",
        )
    return InclusionProof(
        seq=seq,
        entry=canonical_bytes(entry.seq, entry.occurred_at, entry.draft).decode(),
        leaf_hash=leaves[seq - 1],
        tree_size=len(leaves),
        root_hash=root,
        path=tuple(merkle.inclusion_proof(seq - 1, leaves)),
        checkpoint=signed.document if signed is not None else None,
    )


def _proof_read(actor: Actor, seq: int, size: int) -> AuditDraft:
    return AuditDraft(
        actor=actor.label,
        action=AuditAction.AUDIT_PROOF_ISSUED,
        outcome=Outcome.SUCCESS,
        resource_type="audit_entry",
        resource_ids=(str(seq),),
        purpose="administration",
        detail={"tree_size": size},
        origin=actor.origin,
    )
