"""Signed checkpoints: canonical JSON, Ed25519 over a domain prefix, forgeries told apart."""

from __future__ import annotations

import base64
import json
import os
from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from strongroom.audit.checkpoints import checkpoint_problem, parse_checkpoint, sign_checkpoint
from strongroom.core.errors import InvalidInputError
from strongroom.vault.keyring import KeyKind, Keyring
from strongroom.vault.receipts import audit_signing_public_keys

WHEN = datetime(2026, 11, 29, 12, 0, 0, 250000, tzinfo=UTC)
KEYS = Keyring({KeyKind.AUDIT_SIGNING: {1: os.urandom(32), 2: os.urandom(32)}})
ROOT = bytes(range(32))


def _signed() -> str:
    return sign_checkpoint(KEYS, tree_size=1000, root_hash=ROOT, timestamp=WHEN).to_json()


def test_a_checkpoint_is_the_documented_canonical_json_signed_with_the_current_key() -> None:
    document = json.loads(_signed())
    assert document == {
        "type": "strongroom-audit-checkpoint",
        "version": 1,
        "tree_size": 1000,
        "root_hash": ROOT.hex(),
        "timestamp": "2026-11-29T12:00:00.250000Z",
        "key_version": 2,
        "public_key": document["public_key"],
        "signature": document["signature"],
    }
    assert _signed().startswith('{"key_version":2,')  # keys sorted, no spaces


def test_anyone_can_check_the_signature_with_the_public_key_it_carries() -> None:
    document = json.loads(_signed())
    signature = base64.b64decode(document.pop("signature"))
    signed = b"strongroom-audit-checkpoint:v1\x00" + json.dumps(
        document, sort_keys=True, separators=(",", ":")
    ).encode("utf-8")
    public = Ed25519PublicKey.from_public_bytes(base64.b64decode(document["public_key"]))
    public.verify(signature, signed)  # raises if it does not verify


def test_a_parsed_checkpoint_checks_out_against_the_home_keys() -> None:
    checkpoint = parse_checkpoint(_signed())
    assert checkpoint.tree_size == 1000
    assert checkpoint.root_hash == ROOT
    assert checkpoint.timestamp == WHEN
    trusted = audit_signing_public_keys(KEYS)
    assert checkpoint_problem(checkpoint, trusted_keys=trusted) is None
    assert parse_checkpoint(checkpoint.to_json()) == checkpoint


@pytest.mark.parametrize(
    ("field", "value"),
    [("tree_size", 999), ("root_hash", "00" * 32), ("timestamp", "2026-11-29T12:00:01.000000Z")],
)
def test_a_changed_field_breaks_the_signature(field: str, value: object) -> None:
    document = json.loads(_signed())
    document[field] = value
    problem = checkpoint_problem(parse_checkpoint(json.dumps(document)), trusted_keys=None)
    assert problem is not None
    assert "signature does not match" in problem


def test_a_checkpoint_signed_by_another_key_is_a_forgery_to_this_home() -> None:
    stranger = Keyring({KeyKind.AUDIT_SIGNING: {2: os.urandom(32)}})
    forged = sign_checkpoint(stranger, tree_size=5, root_hash=ROOT, timestamp=WHEN)
    assert checkpoint_problem(forged, trusted_keys=None) is None  # valid, but whose?
    problem = checkpoint_problem(forged, trusted_keys=audit_signing_public_keys(KEYS))
    assert problem is not None
    assert "not this data home's audit-signing key version 2" in problem


def test_a_key_version_the_home_lacks_is_named() -> None:
    stranger = Keyring({KeyKind.AUDIT_SIGNING: {7: os.urandom(32)}})
    forged = sign_checkpoint(stranger, tree_size=5, root_hash=ROOT, timestamp=WHEN)
    problem = checkpoint_problem(forged, trusted_keys=audit_signing_public_keys(KEYS))
    assert problem is not None
    assert "key version 7, which this data home does not hold" in problem


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda d: "not json", "not JSON"),
        (lambda d: json.dumps([d]), "not a JSON object"),
        (lambda d: json.dumps({**d, "type": "receipt"}), "not a JSON object with"),
        (lambda d: json.dumps({**d, "version": 2}), "version is not 1"),
        (lambda d: json.dumps({**d, "version": True}), "version is not 1"),
        (lambda d: json.dumps({**d, "extra": 1}), "unexpected: ['extra']"),
        (lambda d: json.dumps({k: v for k, v in d.items() if k != "signature"}), "missing"),
        (lambda d: json.dumps({**d, "tree_size": 0}), "tree_size is not a whole number"),
        (lambda d: json.dumps({**d, "tree_size": True}), "tree_size is not a whole number"),
        (lambda d: json.dumps({**d, "root_hash": "AB" * 32}), "lower-case hex"),
        (lambda d: json.dumps({**d, "root_hash": "ab"}), "root_hash is not 32 bytes"),
        (lambda d: json.dumps({**d, "timestamp": "yesterday"}), "timestamp is not a UTC time"),
        (lambda d: json.dumps({**d, "public_key": "!!"}), "public_key is not 32 bytes"),
        (lambda d: json.dumps({**d, "signature": "AAAA"}), "signature is not 64 bytes"),
    ],
)
def test_a_malformed_checkpoint_is_refused_saying_why(change, reason: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        parse_checkpoint(change(json.loads(_signed())))
    assert reason in caught.value.message
