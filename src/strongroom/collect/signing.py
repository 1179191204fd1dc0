"""Signed batches: an HMAC-SHA256 over "<timestamp>." + the body, under a per-key secret.

The secret is kept encrypted under the keyring's token key (the card vault's key and scheme:
AES-256-GCM bound to the write key's id and this field), never in plaintext, so the server can
verify with it but a copy of the database cannot sign.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from strongroom.vault.envelope import ciphertext_key_version, decrypt_field, encrypt_field
from strongroom.vault.keyring import KeyKind
from strongroom.vault.tokenization import TokenKeys

SIGNING_SECRET_PREFIX = "srh"  # noqa: S105 (the prefix of generated secrets, not a secret)
WINDOW = timedelta(seconds=300)
TIMESTAMP_HEADER = "X-Strongroom-Timestamp"
SIGNATURE_HEADER = "X-Strongroom-Signature"
_FIELD = "signing_secret"
_SIGNATURE_HEX_CHARS = 64
_MAX_TIMESTAMP_CHARS = 12


class SignatureRefused(Exception):  # noqa: N818 - internal: the gate turns it into an audited 401
    """A batch signature is missing, malformed, outside its window or does not match."""

    def __init__(self, reason: str, *, audit_as: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.audit_as = audit_as  # the credential name written to the audit log


@dataclass(frozen=True, slots=True)
class SignedBody:
    """What a request offers for verification: its two headers and its raw body bytes."""

    timestamp: str | None
    signature: str | None
    body: bytes

    @property
    def present(self) -> bool:
        return self.timestamp is not None or self.signature is not None


@dataclass(frozen=True, slots=True)
class VerifiedSignature:
    digest: bytes  # SHA-256 of the signature: what the replay guard holds
    expires_at: datetime  # when the signature falls out of its window


def new_signing_secret() -> str:
    """A fresh signing secret such as ``srs_...``; 256 bits after the prefix."""
    return f"{SIGNING_SECRET_PREFIX}_{secrets.token_urlsafe(32)}"


def seal_signing_secret(keys: TokenKeys, secret: str, *, key_id: str) -> bytes:
    """``secret`` encrypted under the current token key, bound to write key ``key_id``."""
    version, key = keys.current(KeyKind.TOKEN)
    return encrypt_field(
        key, secret.encode("ascii"), record_id=key_id, field=_FIELD, key_version=version
    )


def open_signing_secret(keys: TokenKeys, sealed: bytes, *, key_id: str) -> bytes:
    """The secret sealed for write key ``key_id`` (DecryptionError if moved or altered)."""
    version = ciphertext_key_version(sealed)
    key = keys.key(KeyKind.TOKEN, version)
    return decrypt_field(key, sealed, record_id=key_id, field=_FIELD, key_version=version)


def sign(secret: bytes, timestamp: str, body: bytes) -> str:
    """The hex signature a client sends in X-Strongroom-Signature."""
    return hmac.new(secret, timestamp.encode("ascii") + b"." + body, hashlib.sha256).hexdigest()


def verify(secret: bytes, offered: SignedBody, *, now: datetime) -> VerifiedSignature:
    """Check the signature and its window; raise SignatureRefused with the reason."""
    if offered.timestamp is None or offered.signature is None:
        raise SignatureRefused(
            f"this source requires signed batches: send {TIMESTAMP_HEADER} and {SIGNATURE_HEADER}",
            audit_as="batch_signature",
        )
    sent_at = _timestamp(offered.timestamp)
    if abs(now.timestamp() - sent_at) > WINDOW.total_seconds():
        raise SignatureRefused(
            f"{TIMESTAMP_HEADER} is more than {int(WINDOW.total_seconds())} seconds from the "
            "server's clock: sign the batch again with the current time",
            audit_as="batch_signature_stale",
        )
    signature = offered.signature.strip().lower()
    expected = sign(secret, offered.timestamp, offered.body)
    if len(signature) != _SIGNATURE_HEX_CHARS or not hmac.compare_digest(signature, expected):
        raise SignatureRefused(
            f"{SIGNATURE_HEADER} does not match the body: sign '<timestamp>.' + the raw body "
            "bytes with the source's signing secret (HMAC-SHA256, hex)",
            audit_as="batch_signature",
        )
    expires_at = datetime.fromtimestamp(sent_at, tz=now.tzinfo) + WINDOW
    return VerifiedSignature(hashlib.sha256(signature.encode("ascii")).digest(), expires_at)


def _timestamp(value: str) -> int:
    text = value.strip()
    if not text.isdigit() or len(text) > _MAX_TIMESTAMP_CHARS:
        raise SignatureRefused(
            f"{TIMESTAMP_HEADER} must be unix time in whole seconds", audit_as="batch_signature"
        )
    return int(text)
