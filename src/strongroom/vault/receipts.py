"""Erasure receipts: canonical JSON, signed with the keyring's audit-signing key (Ed25519).

A receipt says which customer pseudonym was erased, when, by whom, why, and which of their key
versions were destroyed. Anyone can check it with the public key it carries; Strongroom also
checks that key against the data home's own audit-signing key, so a receipt signed by some other
key (a forgery with a key of its own) is told apart from a genuine one.

The signature covers the canonical form of every field but ``signature``: keys sorted, no spaces,
UTF-8, after a domain prefix, so a receipt is never mistaken for another signed document (audit
checkpoints are signed with the same key under their own prefix).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from strongroom.core.clock import ensure_utc
from strongroom.core.errors import InvalidInputError, VaultError
from strongroom.vault.envelope import ROOT_KEY_BYTES
from strongroom.vault.keyring import KeyKind

RECEIPT_TYPE = "strongroom-erasure-receipt"
RECEIPT_VERSION = 1
_SIGNING_DOMAIN = b"strongroom-erasure-receipt:v1\x00"
_TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"
_PUBLIC_KEY_BYTES = 32
_SIGNATURE_BYTES = 64
_FIELDS = frozenset(
    {
        "type",
        "version",
        "customer_pseudonym",
        "erased_at",
        "actor",
        "reason",
        "key_versions_destroyed",
        "signing_key_version",
        "public_key",
        "signature",
    }
)


class SigningKeys(Protocol):
    """What receipts need of a keyring (a ``Keyring`` or one that follows rotations)."""

    def versions(self, kind: KeyKind) -> list[int]: ...

    def current(self, kind: KeyKind) -> tuple[int, bytes]: ...

    def key(self, kind: KeyKind, version: int) -> bytes: ...


@dataclass(frozen=True, slots=True)
class ErasureReceipt:
    """A signed statement that one customer's data keys were destroyed."""

    customer_pseudonym: str
    erased_at: datetime
    actor: str
    reason: str
    key_versions_destroyed: dict[str, int]
    signing_key_version: int
    public_key: bytes = field(repr=False)
    signature: bytes = field(repr=False)

    def signed_bytes(self) -> bytes:
        """Exactly what the signature covers."""
        return _SIGNING_DOMAIN + _canonical(self._document(with_signature=False))

    def to_json(self) -> str:
        """The receipt as canonical JSON, one line: how it is handed out and kept in the ledger."""
        return _canonical(self._document(with_signature=True)).decode("utf-8")

    def as_dict(self) -> dict[str, Any]:
        """The receipt's JSON document as a dict (for an API answer)."""
        return self._document(with_signature=True)

    def _document(self, *, with_signature: bool) -> dict[str, Any]:
        document: dict[str, Any] = {
            "type": RECEIPT_TYPE,
            "version": RECEIPT_VERSION,
            "customer_pseudonym": self.customer_pseudonym,
            "erased_at": format_time(self.erased_at),
            "actor": self.actor,
            "reason": self.reason,
            "key_versions_destroyed": dict(self.key_versions_destroyed),
            "signing_key_version": self.signing_key_version,
            "public_key": _b64(self.public_key),
        }
        if with_signature:
            document["signature"] = _b64(self.signature)
        return document


@dataclass(frozen=True, slots=True)
class ReceiptCheck:
    """The outcome of checking a receipt: each check, and what failed in words."""

    signature_valid: bool
    home_key_matches: bool | None  # None: no data home key was given to compare with
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return self.signature_valid and self.home_key_matches is not False


def format_time(moment: datetime) -> str:
    """A UTC time as receipts write it, with microseconds: one moment has one spelling."""
    return ensure_utc(moment).strftime(_TIME_FORMAT)


def sign_receipt(
    keys: SigningKeys,
    *,
    customer_pseudonym: str,
    erased_at: datetime,
    actor: str,
    reason: str,
    key_versions_destroyed: Mapping[str, int],
) -> ErasureReceipt:
    """A receipt for these facts, signed with the current audit-signing key."""
    version, seed = keys.current(KeyKind.AUDIT_SIGNING)
    private = _private_key(seed, version)
    unsigned = ErasureReceipt(
        customer_pseudonym=customer_pseudonym,
        erased_at=ensure_utc(erased_at),
        actor=actor,
        reason=reason,
        key_versions_destroyed=dict(key_versions_destroyed),
        signing_key_version=version,
        public_key=_raw_public(private.public_key()),
        signature=b"",
    )
    return _with_signature(unsigned, private.sign(unsigned.signed_bytes()))


def audit_signing_public_keys(keys: SigningKeys) -> dict[int, bytes]:
    """The public half of every audit-signing key version the keyring holds, by version."""
    return {
        version: _raw_public(
            _private_key(keys.key(KeyKind.AUDIT_SIGNING, version), version).public_key()
        )
        for version in keys.versions(KeyKind.AUDIT_SIGNING)
    }


def check_receipt(
    receipt: ErasureReceipt, *, trusted_keys: Mapping[int, bytes] | None = None
) -> ReceiptCheck:
    """Check the signature with the receipt's own key, then that key against ``trusted_keys``."""
    problems: list[str] = []
    signature_valid = _signature_valid(receipt)
    if not signature_valid:
        problems.append(
            "the signature does not match the receipt's contents and public key: the receipt "
            "was changed after it was signed, or it is not a Strongroom receipt"
        )
    home_key_matches: bool | None = None
    if trusted_keys is not None:
        expected = trusted_keys.get(receipt.signing_key_version)
        home_key_matches = expected is not None and expected == receipt.public_key
        if expected is None:
            problems.append(
                f"this data home has no audit-signing key version {receipt.signing_key_version}: "
                "the receipt was signed by another data home, or that version was retired"
            )
        elif not home_key_matches:
            problems.append(
                "the receipt's public key is not this data home's audit-signing key version "
                f"{receipt.signing_key_version}: it was signed by another key"
            )
    return ReceiptCheck(signature_valid, home_key_matches, tuple(problems))


def parse_receipt(text: str) -> ErasureReceipt:
    """Read a receipt's JSON; InvalidInputError says which part is missing or malformed."""
    try:
        document = json.loads(text)
    except (ValueError, RecursionError):
        raise _malformed("it is not JSON") from None
    if not isinstance(document, dict):
        raise _malformed("it is not a JSON object")
    if document.get("type") != RECEIPT_TYPE:
        raise _malformed(f'it has no "type": "{RECEIPT_TYPE}"')
    if type(document.get("version")) is not int or document["version"] != RECEIPT_VERSION:
        raise _malformed(f"its version is not {RECEIPT_VERSION}; a newer Strongroom may read it")
    unknown = sorted(set(document) - _FIELDS)
    missing = sorted(_FIELDS - set(document))
    if unknown or missing:
        raise _malformed(f"fields missing: {missing or 'none'}; unexpected: {unknown or 'none'}")
    return ErasureReceipt(
        customer_pseudonym=_text(document, "customer_pseudonym"),
        erased_at=_time(document),
        actor=_text(document, "actor"),
        reason=_text(document, "reason"),
        key_versions_destroyed=_versions(document),
        signing_key_version=_positive(document, "signing_key_version"),
        public_key=_b64field(document, "public_key", _PUBLIC_KEY_BYTES),
        signature=_b64field(document, "signature", _SIGNATURE_BYTES),
    )


def _with_signature(receipt: ErasureReceipt, signature: bytes) -> ErasureReceipt:
    return ErasureReceipt(
        customer_pseudonym=receipt.customer_pseudonym,
        erased_at=receipt.erased_at,
        actor=receipt.actor,
        reason=receipt.reason,
        key_versions_destroyed=receipt.key_versions_destroyed,
        signing_key_version=receipt.signing_key_version,
        public_key=receipt.public_key,
        signature=signature,
    )


def _signature_valid(receipt: ErasureReceipt) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(receipt.public_key).verify(
            receipt.signature, receipt.signed_bytes()
        )
    except (InvalidSignature, ValueError):
        return False
    return True


def _private_key(seed: bytes, version: int) -> Ed25519PrivateKey:
    if len(seed) != ROOT_KEY_BYTES:
        raise VaultError(
            f"audit-signing key version {version} is {len(seed)} bytes, not {ROOT_KEY_BYTES}: "
            "the data key table is damaged; restore it from a backup"
        )
    return Ed25519PrivateKey.from_private_bytes(seed)


def _raw_public(public: Ed25519PublicKey) -> bytes:
    return public.public_bytes(Encoding.Raw, PublicFormat.Raw)


def _canonical(document: dict[str, Any]) -> bytes:
    text = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.encode("utf-8")


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _malformed(reason: str) -> InvalidInputError:
    return InvalidInputError(
        f"not a Strongroom erasure receipt this version can read ({reason}); "
        "check that the file is the receipt as it was handed out"
    )


def _text(document: dict[str, Any], name: str) -> str:
    value = document[name]
    if not isinstance(value, str) or not value:
        raise _malformed(f"{name} is not a non-empty string")
    return value


def _positive(document: dict[str, Any], name: str) -> int:
    value = document[name]
    # type() rather than isinstance(): JSON true must not pass for the number 1.
    if type(value) is not int or value < 1:
        raise _malformed(f"{name} is not a whole number from 1")
    return value


def _time(document: dict[str, Any]) -> datetime:
    value = _text(document, "erased_at")
    try:
        moment = datetime.strptime(value, _TIME_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        raise _malformed("erased_at is not a UTC time like 2026-01-31T12:00:00.000000Z") from None
    if format_time(moment) != value:
        raise _malformed("erased_at is not written in its one canonical form")
    return moment


def _versions(document: dict[str, Any]) -> dict[str, int]:
    value = document["key_versions_destroyed"]
    if not isinstance(value, dict) or not value:
        raise _malformed("key_versions_destroyed is not a non-empty object")
    if not all(type(v) is int and v >= 1 for v in value.values()):
        raise _malformed("key_versions_destroyed holds something other than key versions")
    return dict(value)


def _b64field(document: dict[str, Any], name: str, size: int) -> bytes:
    value = document[name]
    try:
        raw = base64.b64decode(value, validate=True) if isinstance(value, str) else None
    except (binascii.Error, ValueError):
        raw = None
    if raw is None or len(raw) != size:
        raise _malformed(f"{name} is not {size} bytes in base64")
    return raw
