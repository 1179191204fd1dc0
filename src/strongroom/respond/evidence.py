"""Inclusion proofs of many audit entries against one signed checkpoint, cheaply.

``audit.proofs`` proves one entry at a time and recomputes subtree roots for each; a blast
radius may cite thousands of entries, so this builds the tree's levels once (the RFC 6962 tree
is the bottom-up one in which a lone last node moves up unchanged) and reads each audit path
from them in O(log n). Every proof checks with ``audit.merkle.verify_inclusion``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from strongroom.audit.merkle import node_hash, verify_inclusion
from strongroom.core.errors import AuditIntegrityError
from strongroom.core.trail import AuditCheckpoint


def tree_levels(leaves: Sequence[bytes]) -> list[list[bytes]]:
    """Every level of the tree over ``leaves``, leaves first, the root's level last."""
    levels = [list(leaves)]
    while len(levels[-1]) > 1:
        below = levels[-1]
        above = [node_hash(below[i], below[i + 1]) for i in range(0, len(below) - 1, 2)]
        if len(below) % 2:
            above.append(below[-1])
        levels.append(above)
    return levels


def audit_path(levels: Sequence[Sequence[bytes]], index: int) -> list[bytes]:
    """The RFC 6962 audit path of leaf ``index``, read from ``tree_levels``."""
    path: list[bytes] = []
    for level in levels[:-1]:
        sibling = index ^ 1
        if sibling < len(level):
            path.append(level[sibling])
        index //= 2
    return path


@dataclass(frozen=True, slots=True)
class EntryProof:
    seq: int
    leaf_hash: bytes
    path: tuple[bytes, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "leaf_index": self.seq - 1,
            "leaf_hash": self.leaf_hash.hex(),
            "inclusion_proof": [node.hex() for node in self.path],
        }


def prove_many(
    checkpoint: AuditCheckpoint, leaves: Sequence[bytes], seqs: Iterable[int]
) -> dict[int, EntryProof]:
    """Proofs that entries ``seqs`` are in the tree ``checkpoint`` signs (seqs it covers only)."""
    if len(leaves) != checkpoint.tree_size:
        raise AuditIntegrityError(
            f"the log holds {len(leaves)} of the {checkpoint.tree_size} entries its newest "
            "checkpoint covers: run `strongroom audit verify`",
            checkpoint=f"database checkpoint {checkpoint.tree_size}",
        )
    levels = tree_levels(leaves)
    if levels[-1][0] != checkpoint.root_hash:
        raise AuditIntegrityError(
            f"the log no longer matches its checkpoint of tree size {checkpoint.tree_size}: "
            "run `strongroom audit verify` to find where",
            checkpoint=f"database checkpoint {checkpoint.tree_size}",
        )
    proofs: dict[int, EntryProof] = {}
    for seq in sorted(set(seqs)):
        if 1 <= seq <= checkpoint.tree_size:
            path = tuple(audit_path(levels, seq - 1))
            proof = EntryProof(seq, leaves[seq - 1], path)
            assert verify_inclusion(
                proof.leaf_hash, seq - 1, checkpoint.tree_size, path, checkpoint.root_hash
            )
            proofs[seq] = proof
    return proofs
