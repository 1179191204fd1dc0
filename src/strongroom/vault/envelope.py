"""Envelope encryption: keys wrapped by keys, and field values sealed to their record and field.

Everything here is AES-256-GCM with a fresh random 96-bit nonce. The associated data binds each
ciphertext to where it belongs, so a value copied onto another record, field or key version fails
to decrypt instead of being read back as someone else's data.
"""

from __future__ import annotations

import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from strongroom.core.errors import DecryptionError, VaultError

ROOT_KEY_BYTES = 32
NONCE_BYTES = 12
TAG_BYTES = 16
FIELD_FORMAT_V1 = 0x01
MAX_KEY_VERSION = 2**32 - 1  # the field header holds the key version in four bytes
_HEADER_BYTES = 1 + 4
_MIN_FIELD_BYTES = _HEADER_BYTES + NONCE_BYTES + TAG_BYTES


def new_key() -> bytes:
    """Return a fresh random 256-bit key."""
    return os.urandom(ROOT_KEY_BYTES)


def length_prefixed(*parts: bytes) -> bytes:
    """Join parts, each after its 4-byte big-endian length, so no two part lists join alike."""
    return b"".join(len(part).to_bytes(4, "big") + part for part in parts)


def _aead(key: bytes) -> AESGCM:
    # AESGCM would also accept 128- and 192-bit keys; a short key here is a bug, never a choice.
    if len(key) != ROOT_KEY_BYTES:
        raise VaultError(
            f"an encryption key must be {ROOT_KEY_BYTES} bytes, not {len(key)}: "
            "pass a key from the keyring or from new_key()"
        )
    return AESGCM(key)


def wrap_key(kek: bytes, key: bytes, *, context: str) -> bytes:
    """Encrypt ``key`` under ``kek``, bound to ``context``; returns nonce + ciphertext + tag."""
    nonce = os.urandom(NONCE_BYTES)
    return nonce + _aead(kek).encrypt(nonce, key, context.encode("utf-8"))


def unwrap_key(kek: bytes, wrapped: bytes, *, context: str) -> bytes:
    """Decrypt a key made by ``wrap_key`` with the same ``kek`` and ``context``."""
    aead = _aead(kek)
    # Only the kind of context is named: the rest may identify a customer, and never helps.
    kind = context.split(":", 1)[0]
    if len(wrapped) < NONCE_BYTES + TAG_BYTES:
        raise DecryptionError(
            f"the wrapped {kind} is truncated or corrupted: restore it from a backup"
        )
    try:
        return aead.decrypt(wrapped[:NONCE_BYTES], wrapped[NONCE_BYTES:], context.encode("utf-8"))
    except InvalidTag:
        raise DecryptionError(
            f"the wrapped {kind} could not be unwrapped: it was changed, moved, or wrapped under "
            "another key; check that the root key and the database belong to the same data home"
        ) from None


def _header(key_version: int) -> bytes:
    if not 0 <= key_version <= MAX_KEY_VERSION:
        raise VaultError(
            f"key version {key_version} does not fit a field ciphertext header: "
            f"use a version from 0 to {MAX_KEY_VERSION}"
        )
    return bytes([FIELD_FORMAT_V1]) + key_version.to_bytes(4, "big")


def _field_aad(header: bytes, record_id: str, field: str) -> bytes:
    # Length-prefixed, so record "ab" + field "c" can never pass for record "a" + field "bc".
    return length_prefixed(header, record_id.encode("utf-8"), field.encode("utf-8"))


def _readable(ciphertext: bytes) -> bool:
    return len(ciphertext) >= _MIN_FIELD_BYTES and ciphertext[0] == FIELD_FORMAT_V1


def encrypt_field(
    key: bytes, plaintext: bytes, *, record_id: str, field: str, key_version: int
) -> bytes:
    """Encrypt one field value of one record under ``key`` (which is version ``key_version``)."""
    header = _header(key_version)
    nonce = os.urandom(NONCE_BYTES)
    sealed = _aead(key).encrypt(nonce, plaintext, _field_aad(header, record_id, field))
    return header + nonce + sealed


def ciphertext_key_version(ciphertext: bytes) -> int:
    """Return the key version written in a field ciphertext's header."""
    if not _readable(ciphertext):
        raise DecryptionError(
            "a field ciphertext is truncated or corrupted: its header cannot be read; "
            "restore the record from a backup"
        )
    return int.from_bytes(ciphertext[1:_HEADER_BYTES], "big")


def decrypt_field(
    key: bytes,
    ciphertext: bytes,
    *,
    record_id: str,
    field: str,
    key_version: int | None = None,
) -> bytes:
    """Decrypt a field value, refusing it unless it belongs to this record, field and key."""
    where = f"ciphertext for field {field!r} of record {record_id}"
    if not _readable(ciphertext):
        raise DecryptionError(f"{where} is truncated or corrupted; restore it from a backup")
    found = int.from_bytes(ciphertext[1:_HEADER_BYTES], "big")
    if key_version is not None and found != key_version:
        raise DecryptionError(
            f"{where} was written with key version {found}, not {key_version}: "
            "it was changed, or it must be read with the key it names"
        )
    header = ciphertext[:_HEADER_BYTES]
    nonce = ciphertext[_HEADER_BYTES : _HEADER_BYTES + NONCE_BYTES]
    sealed = ciphertext[_HEADER_BYTES + NONCE_BYTES :]
    try:
        return _aead(key).decrypt(nonce, sealed, _field_aad(header, record_id, field))
    except InvalidTag:
        raise DecryptionError(
            f"{where} does not authenticate: it was changed, or moved from another record or "
            "field, or sealed under another key; it was not decrypted"
        ) from None
