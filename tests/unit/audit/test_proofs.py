"""Inclusion proofs a third party can check with nothing but SHA-256 and Ed25519."""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from strongroom.audit.merkle import verify_inclusion
from strongroom.audit.proofs import prove_entry
from strongroom.core.errors import AuditIntegrityError, NotFoundError
from strongroom.core.models import Actor, PrincipalKind
from strongroom.core.trail import AuditAction

from .conftest import AuditWorld

OPS = Actor(PrincipalKind.LOCAL, "ops", role="admin")


def _third_party_accepts(proof: dict[str, Any]) -> bool:
    """What an auditor would run: the leaf from the entry, the path to the root (RFC 9162
    2.1.3.2), and the root against the Ed25519-signed checkpoint."""
    node = hashlib.sha256(b"\x00" + proof["entry"].encode()).digest()
    fn, sn = proof["leaf_index"], proof["tree_size"] - 1
    for sibling in map(bytes.fromhex, proof["inclusion_proof"]):
        if fn & 1 or fn == sn:
            node = hashlib.sha256(b"\x01" + sibling + node).digest()
            while not fn & 1 and fn:
                fn, sn = fn >> 1, sn >> 1
        else:
            node = hashlib.sha256(b"\x01" + node + sibling).digest()
        fn, sn = fn >> 1, sn >> 1
    checkpoint = dict(proof["checkpoint"])
    signature = base64.b64decode(checkpoint.pop("signature"))
    signed = (
        b"strongroom-audit-checkpoint:v1\x00"
        + json.dumps(checkpoint, sort_keys=True, separators=(",", ":")).encode()
    )
    public = Ed25519PublicKey.from_public_bytes(base64.b64decode(checkpoint["public_key"]))
    public.verify(signature, signed)
    return sn == 0 and node.hex() == checkpoint["root_hash"] == proof["root_hash"]


def test_a_proof_against_the_latest_checkpoint_convinces_a_third_party(world: AuditWorld) -> None:
    world.record(13)
    world.checkpointer.checkpoint_if_due()
    world.record(3)
    for seq in (1, 7, 14):
        proof = prove_entry(uow_factory=world.factory, audit=world.audit, actor=OPS, seq=seq)
        assert proof.tree_size == 14
        assert _third_party_accepts(json.loads(json.dumps(proof.as_dict())))


def test_an_entry_newer_than_every_checkpoint_is_proved_against_the_current_tree(
    world: AuditWorld,
) -> None:
    world.record(5)
    world.checkpointer.checkpoint_if_due()
    world.record(4)
    proof = prove_entry(uow_factory=world.factory, audit=world.audit, actor=OPS, seq=8)
    assert (proof.tree_size, proof.checkpoint) == (10, None)
    path = list(proof.path)
    assert verify_inclusion(proof.leaf_hash, 7, 10, path, proof.root_hash)


def test_a_proof_is_a_read_of_the_log_and_is_audited(world: AuditWorld) -> None:
    world.record(2)
    prove_entry(uow_factory=world.factory, audit=world.audit, actor=OPS, seq=2)
    with world.factory() as uow:
        entry = list(uow.audit.scan())[-1]
    assert entry.draft.action is AuditAction.AUDIT_PROOF_ISSUED
    assert (entry.draft.resource_ids, entry.draft.detail) == (("2",), {"tree_size": 2})


@pytest.mark.parametrize("seq", [3, 99])
def test_an_entry_that_does_not_exist_has_no_proof(world: AuditWorld, seq: int) -> None:
    world.record(2)
    with pytest.raises(NotFoundError, match=f"no audit entry {seq}: the log holds entries 1 to 2"):
        prove_entry(uow_factory=world.factory, audit=world.audit, actor=OPS, seq=seq)


def test_a_changed_entry_gets_no_proof(world: AuditWorld) -> None:
    world.record(4)
    store = world.factory.store
    entry = store.audit_entries[3]
    store.audit_entries[3] = type(entry)(
        entry.seq, entry.occurred_at, entry.draft, entry.prev_hash, entry.entry_hash, bytes(32)
    )
    with pytest.raises(AuditIntegrityError, match="audit entry 3 was changed"):
        prove_entry(uow_factory=world.factory, audit=world.audit, actor=OPS, seq=3)
