"""Signed checkpoints: a tree size and Merkle root, signed with the audit-signing key (Ed25519).

    {"type": "strongroom-audit-checkpoint", "version": 1, "tree_size": 1000,
     "root_hash": "<hex>", "timestamp": "2026-11-29T12:00:00.000000Z", "key_version": 1,
     "public_key": "<base64>", "signature": "<base64>"}

The signature covers the canonical JSON of every field but ``signature`` (keys sorted, no spaces,
UTF-8) after the prefix ``strongroom-audit-checkpoint:v1\\x00``, so a checkpoint is never taken for
an erasure receipt signed with the same key. Anyone can check it with the public key it carries;
Strongroom also checks that key against the data home's own audit-signing key.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from strongroom.audit.chain import TIME_FORMAT
from strongroom.audit.merkle import HASH_BYTES
from strongroom.core.clock import ensure_utc
from strongroom.core.errors import InvalidInputError
from strongroom.vault.receipts import SigningKeys
from strongroom.vault.signing import audit_signer, raw_public_key

CHECKPOINT_TYPE = "strongroom-audit-checkpoint"
CHECKPOINT_VERSION = 1
_SIGNING_DOMAIN = b"strongroom-audit-checkpoint:v1\x00"
_FIELDS = frozenset(
    {"type", "version", "tree_size", "root_hash", "timestamp", "key_version", "public_key"}
    | {"signature"}
)


@dataclass(frozen=True, slots=True)
class SignedCheckpoint:
    """A signed statement of the audit log's size and Merkle root at one moment."""

    tree_size: int
    root_hash: bytes
    timestamp: datetime
    key_version: int
    public_key: bytes = field(repr=False)
    signature: bytes = field(repr=False)

    def signed_bytes(self) -> bytes:
        """Exactly what the signature covers."""
        return _SIGNING_DOMAIN + _canonical(self._document(with_signature=False))

    def to_json(self) -> str:
        """The checkpoint as canonical JSON, one line: what sinks receive and keep."""
        return _canonical(self._document(with_signature=True)).decode("utf-8")

    def as_dict(self) -> dict[str, Any]:
        return self._document(with_signature=True)

    def _document(self, *, with_signature: bool) -> dict[str, Any]:
        document: dict[str, Any] = {
            "type": CHECKPOINT_TYPE,
            "version": CHECKPOINT_VERSION,
            "tree_size": self.tree_size,
            "root_hash": self.root_hash.hex(),
            "timestamp": ensure_utc(self.timestamp).strftime(TIME_FORMAT),
            "key_version": self.key_version,
            "public_key": base64.b64encode(self.public_key).decode("ascii"),
        }
        if with_signature:
            document["signature"] = base64.b64encode(self.signature).decode("ascii")
        return document


def sign_checkpoint(
    keys: SigningKeys, *, tree_size: int, root_hash: bytes, timestamp: datetime
) -> SignedCheckpoint:
    """A checkpoint of these facts, signed with the current audit-signing key."""
    version, private = audit_signer(keys)
    unsigned = SignedCheckpoint(
        tree_size=tree_size,
        root_hash=root_hash,
        timestamp=ensure_utc(timestamp),
        key_version=version,
        public_key=raw_public_key(private),
        signature=b"",
    )
    signature = private.sign(unsigned.signed_bytes())
    return SignedCheckpoint(
        unsigned.tree_size,
        unsigned.root_hash,
        unsigned.timestamp,
        version,
        unsigned.public_key,
        signature,
    )


def checkpoint_problem(
    checkpoint: SignedCheckpoint, *, trusted_keys: Mapping[int, bytes] | None
) -> str | None:
    """Why the checkpoint cannot be trusted, or None: its signature, then its key."""
    try:
        Ed25519PublicKey.from_public_bytes(checkpoint.public_key).verify(
            checkpoint.signature, checkpoint.signed_bytes()
        )
    except (InvalidSignature, ValueError):
        return "its signature does not match its contents: it was forged or changed after signing"
    if trusted_keys is None:
        return None
    expected = trusted_keys.get(checkpoint.key_version)
    if expected is None:
        return (
            f"it names audit-signing key version {checkpoint.key_version}, which this data home "
            "does not hold: it was signed by another data home or forged"
        )
    if expected != checkpoint.public_key:
        return (
            "it was signed by a key that is not this data home's audit-signing key "
            f"version {checkpoint.key_version}: it is forged"
        )
    return None


def parse_checkpoint(text: str) -> SignedCheckpoint:
    """Read a checkpoint's JSON; InvalidInputError says which part is missing or malformed."""
    try:
        document = json.loads(text)
    except (ValueError, RecursionError):
        raise _malformed("it is not JSON") from None
    if not isinstance(document, dict) or document.get("type") != CHECKPOINT_TYPE:
        raise _malformed(f'it is not a JSON object with "type": "{CHECKPOINT_TYPE}"')
    if document.get("version") != CHECKPOINT_VERSION or type(document["version"]) is not int:
        raise _malformed(f"its version is not {CHECKPOINT_VERSION}")
    if set(document) != _FIELDS:
        missing, unknown = sorted(_FIELDS - set(document)), sorted(set(document) - _FIELDS)
        raise _malformed(f"fields missing: {missing or 'none'}; unexpected: {unknown or 'none'}")
    return SignedCheckpoint(
        tree_size=_whole(document, "tree_size"),
        root_hash=_hex(document["root_hash"]),
        timestamp=_time(document["timestamp"]),
        key_version=_whole(document, "key_version"),
        public_key=_b64(document, "public_key", 32),
        signature=_b64(document, "signature", 64),
    )


def _canonical(document: dict[str, Any]) -> bytes:
    return json.dumps(document, sort_keys=True, separators=(",", ":")).encode("utf-8")


def _malformed(reason: str) -> InvalidInputError:
    return InvalidInputError(f"not a Strongroom audit checkpoint this version can read ({reason})")


def _whole(document: dict[str, Any], name: str) -> int:
    value = document[name]
    if type(value) is not int or value < 1:  # type(): JSON true must not pass for 1
        raise _malformed(f"{name} is not a whole number from 1")
    return value


def _hex(value: object) -> bytes:
    try:
        raw = bytes.fromhex(value) if isinstance(value, str) else b""
    except ValueError:
        raw = b""
    if len(raw) != HASH_BYTES or raw.hex() != value:
        raise _malformed(f"root_hash is not {HASH_BYTES} bytes in lower-case hex")
    return raw


def _time(value: object) -> datetime:
    try:
        moment = datetime.strptime(value, TIME_FORMAT) if isinstance(value, str) else None
    except ValueError:
        moment = None
    if moment is None or moment.strftime(TIME_FORMAT) != value:
        raise _malformed("timestamp is not a UTC time like 2026-01-31T12:00:00.000000Z")
    return moment.replace(tzinfo=UTC)


def _b64(document: dict[str, Any], name: str, size: int) -> bytes:
    value = document[name]
    try:
        raw = base64.b64decode(value, validate=True) if isinstance(value, str) else b""
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != size:
        raise _malformed(f"{name} is not {size} bytes in base64")
    return raw
