"""Sealing whole files: AES-256-GCM in chunks, each bound to its file, position and finality.

A sealed file is ``MAGIC`` then chunks, each written as its 4-byte big-endian length and
nonce + ciphertext + tag. The associated data of chunk ``i`` binds the purpose (a customer's
document or a quarantined file), the file's id, ``i`` and whether it is the last chunk: chunks
moved between files, reordered, dropped or cut off at the end fail to open.

Customer documents are sealed under the customer's own data key (the subject key), so erasing
the customer shreds them with the rest of their data. A quarantined file belongs to no customer:
it gets a fresh key of its own, wrapped by the field key-encryption key.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from strongroom.core.errors import DecryptionError
from strongroom.vault.envelope import (
    NONCE_BYTES,
    ROOT_KEY_BYTES,
    TAG_BYTES,
    length_prefixed,
    new_key,
    unwrap_key,
    wrap_key,
)
from strongroom.vault.keyring import KeyKind
from strongroom.vault.keysource import KeySource

MAGIC = b"SRSEAL1\n"
CHUNK_BYTES = 1024 * 1024
DOCUMENT = "document"
QUARANTINE = "quarantine"
_LENGTH_BYTES = 4
_MAX_SEALED_CHUNK = CHUNK_BYTES + NONCE_BYTES + TAG_BYTES


def _aad(purpose: str, file_id: str, index: int, final: bool) -> bytes:
    return length_prefixed(
        b"strongroom-sealed-file-v1",
        purpose.encode("utf-8"),
        file_id.encode("utf-8"),
        index.to_bytes(8, "big"),
        b"\x01" if final else b"\x00",
    )


def _rechunk(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """``chunks`` regrouped into pieces of exactly CHUNK_BYTES (the last may be shorter)."""
    pending = bytearray()
    for chunk in chunks:
        pending += chunk
        while len(pending) >= CHUNK_BYTES:
            yield bytes(pending[:CHUNK_BYTES])
            del pending[:CHUNK_BYTES]
    yield bytes(pending)


def seal_chunks(
    key: bytes, *, purpose: str, file_id: str, chunks: Iterable[bytes]
) -> Iterator[bytes]:
    """The sealed file, piece by piece, for plaintext arriving as ``chunks`` (streamed)."""
    aead = AESGCM(_checked(key))
    yield MAGIC
    pieces = _rechunk(chunks)
    current = next(pieces)
    index = 0
    for following in pieces:
        if not following:
            break  # the regrouping's empty tail: ``current`` is the last chunk
        yield _sealed(aead, purpose, file_id, index, current, final=False)
        current, index = following, index + 1
    yield _sealed(aead, purpose, file_id, index, current, final=True)


def _sealed(
    aead: AESGCM, purpose: str, file_id: str, index: int, plain: bytes, *, final: bool
) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    body = nonce + aead.encrypt(nonce, plain, _aad(purpose, file_id, index, final))
    return len(body).to_bytes(_LENGTH_BYTES, "big") + body


def open_chunks(key: bytes, *, purpose: str, file_id: str, sealed: BinaryIO) -> Iterator[bytes]:
    """The plaintext of a sealed file, chunk by chunk; DecryptionError if anything is amiss."""
    aead = AESGCM(_checked(key))
    if sealed.read(len(MAGIC)) != MAGIC:
        raise _broken(purpose, "it is not a sealed file")
    index = 0
    while True:
        header = sealed.read(_LENGTH_BYTES)
        if len(header) != _LENGTH_BYTES:
            raise _broken(purpose, "it ends before its last chunk (truncated)")
        length = int.from_bytes(header, "big")
        if not NONCE_BYTES + TAG_BYTES <= length <= _MAX_SEALED_CHUNK:
            raise _broken(purpose, "a chunk length is impossible")
        body = sealed.read(length)
        if len(body) != length:
            raise _broken(purpose, "it is truncated")
        plain, final = _open(aead, purpose, file_id, index, body)
        yield plain
        if final:
            if sealed.read(1):
                raise _broken(purpose, "it holds data after its last chunk")
            return
        index += 1


def _open(aead: AESGCM, purpose: str, file_id: str, index: int, body: bytes) -> tuple[bytes, bool]:
    nonce, sealed = body[:NONCE_BYTES], body[NONCE_BYTES:]
    for final in (False, True):
        try:
            return aead.decrypt(nonce, sealed, _aad(purpose, file_id, index, final)), final
        except InvalidTag:
            continue
    raise _broken(purpose, f"chunk {index} does not authenticate (changed, moved or wrong key)")


def _broken(purpose: str, why: str) -> DecryptionError:
    return DecryptionError(f"a sealed {purpose} file cannot be opened: {why}; nothing was read")


def _checked(key: bytes) -> bytes:
    if len(key) != ROOT_KEY_BYTES:
        raise DecryptionError(f"a file key must be {ROOT_KEY_BYTES} bytes, not {len(key)}")
    return key


def _quarantine_context(item_id: str, kek_version: int) -> str:
    return f"quarantine-key:{item_id}:v{kek_version}"


class QuarantineKeys:
    """Fresh per-file keys for quarantine, wrapped by the current field KEK."""

    def __init__(self, keyring: KeySource) -> None:
        self._keyring = keyring

    def __repr__(self) -> str:
        return "QuarantineKeys()"

    def new_key(self, item_id: str) -> tuple[bytes, bytes, int]:
        """A new file key: (key, wrapped key, KEK version)."""
        version, kek = self._keyring.current(KeyKind.FIELD_KEK)
        key = new_key()
        return key, wrap_key(kek, key, context=_quarantine_context(item_id, version)), version

    def open_key(self, item_id: str, wrapped: bytes, kek_version: int) -> bytes:
        """Unwrap a file key made by ``new_key`` for this item."""
        kek = self._keyring.key(KeyKind.FIELD_KEK, kek_version)
        return unwrap_key(kek, wrapped, context=_quarantine_context(item_id, kek_version))
