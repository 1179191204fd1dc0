"""The encrypted backup file: a header, then AES-256-GCM chunks, streamed in constant memory.

    magic "STRONGROOM-BACKUP\\0" | header length (4 bytes) | header (canonical JSON)
    then per chunk: sealed length (4 bytes) | ciphertext and tag of up to ``chunk_size`` bytes

Each backup has its own random data key, wrapped in the header by the keyring's backup key; the
backup key itself is in the header too, wrapped by the root key exactly as the keyring stores it,
so a data home holding the same root key can open the backup without any database. The root key
is never in a backup: without it, a backup is noise.

Every chunk's nonce is its index (the data key is never reused), and its associated data binds the
header digest, the index and a final flag: a changed header, a changed, swapped, reordered or
dropped chunk, a chunk from another backup, a cut after any chunk, and bytes after the final
chunk all fail with an error that names the chunk.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from strongroom.core.clock import ensure_utc
from strongroom.core.errors import DecryptionError, InvalidInputError
from strongroom.vault.envelope import (
    NONCE_BYTES,
    ROOT_KEY_BYTES,
    TAG_BYTES,
    length_prefixed,
    unwrap_key,
    wrap_key,
)

MAGIC = b"STRONGROOM-BACKUP\x00"
FORMAT = "strongroom-backup"
VERSION = 1
CHUNK_SIZE = 1024 * 1024
_MAX_HEADER_BYTES = 64 * 1024
_MAX_CHUNK_SIZE = 16 * 1024 * 1024
_LENGTH_BYTES = 4
_AAD_DOMAIN = b"strongroom-backup-chunk:v1"
_TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"

BytesDone = Callable[[int], None]


@dataclass(frozen=True, slots=True)
class BackupHeader:
    """What a backup says about itself, in the clear but authenticated by every chunk."""

    backup_id: str
    created_at: datetime
    database: str  # "sqlite" or "postgresql"
    root_key_id: str  # which root key opens it (a fingerprint, never the key)
    backup_key_version: int
    wrapped_backup_key: bytes = field(repr=False)  # wrapped by the root key, as in the keyring
    wrapped_data_key: bytes = field(repr=False)  # this backup's own key, wrapped by the backup key
    audit_signing_keys: dict[int, bytes] = field(repr=False)  # public keys, to check receipts
    chunk_size: int = CHUNK_SIZE

    def to_bytes(self) -> bytes:
        document: dict[str, Any] = {
            "format": FORMAT,
            "version": VERSION,
            "backup_id": self.backup_id,
            "created_at": ensure_utc(self.created_at).strftime(_TIME_FORMAT),
            "database": self.database,
            "root_key_id": self.root_key_id,
            "backup_key_version": self.backup_key_version,
            "wrapped_backup_key": _b64(self.wrapped_backup_key),
            "wrapped_data_key": _b64(self.wrapped_data_key),
            "audit_signing_keys": {str(v): _b64(k) for v, k in self.audit_signing_keys.items()},
            "chunk_size": self.chunk_size,
        }
        return json.dumps(document, sort_keys=True, separators=(",", ":")).encode("utf-8")


def data_key_context(backup_id: str) -> str:
    """The wrapping context that binds a backup's data key to that backup."""
    return f"backup-data-key:{backup_id}"


def wrap_data_key(backup_key: bytes, data_key: bytes, *, backup_id: str) -> bytes:
    return wrap_key(backup_key, data_key, context=data_key_context(backup_id))


def unwrap_data_key(backup_key: bytes, header: BackupHeader) -> bytes:
    """The backup's data key; DecryptionError if the backup key or the header is wrong."""
    try:
        return unwrap_key(
            backup_key, header.wrapped_data_key, context=data_key_context(header.backup_id)
        )
    except DecryptionError:
        raise DecryptionError(
            f"backup {header.backup_id}: its data key does not open with backup key version "
            f"{header.backup_key_version}; the header was changed, or the backup belongs to "
            "another data home"
        ) from None


def write_backup(
    source: BinaryIO,
    sink: BinaryIO,
    *,
    header: BackupHeader,
    data_key: bytes,
    done: BytesDone | None = None,
) -> int:
    """Encrypt everything ``source`` holds into ``sink``; returns the number of chunks."""
    header_bytes = header.to_bytes()
    sink.write(MAGIC + len(header_bytes).to_bytes(_LENGTH_BYTES, "big") + header_bytes)
    aead, digest = _aead(data_key), hashlib.sha256(header_bytes).digest()
    index, written = 0, 0
    current = _read_full(source, header.chunk_size)
    while True:
        # One chunk of lookahead: only the next read tells whether this chunk is the last.
        following = _read_full(source, header.chunk_size) if current else b""
        final = not following
        sealed = aead.encrypt(_nonce(index), current, _aad(digest, index, final))
        sink.write(len(sealed).to_bytes(_LENGTH_BYTES, "big") + sealed)
        written += len(current)
        if done is not None:
            done(written)
        if final:
            return index + 1
        current, index = following, index + 1


def read_header(source: BinaryIO) -> tuple[BackupHeader, bytes]:
    """The header at the start of ``source``, and its exact bytes (which the chunks bind)."""
    if source.read(len(MAGIC)) != MAGIC:
        raise _not_a_backup("it does not start like one")
    length = int.from_bytes(_read_exactly(source, _LENGTH_BYTES, "its header"), "big")
    if not 0 < length <= _MAX_HEADER_BYTES:
        raise _not_a_backup(f"its header length {length} is out of range")
    raw = _read_exactly(source, length, "its header")
    return _parse_header(raw), raw


def read_chunks(
    source: BinaryIO,
    sink: BinaryIO | None,
    *,
    header: BackupHeader,
    header_bytes: bytes,
    data_key: bytes,
    done: BytesDone | None = None,
) -> int:
    """Decrypt and check every chunk after the header, writing the plaintext to ``sink``.

    Returns the plaintext size. Raises DecryptionError naming the first chunk that fails; what
    reached ``sink`` before that must be discarded.
    """
    aead, digest = _aead(data_key), hashlib.sha256(header_bytes).digest()
    index, total = 0, 0
    while True:
        plain, final = _open_chunk(source, aead, digest, index, header.chunk_size)
        total += len(plain)
        if sink is not None:
            sink.write(plain)
        if done is not None:
            done(total)
        if final:
            break
        index += 1
    if source.read(1):
        raise DecryptionError(
            f"the backup has data after its final chunk {index}: it was changed or two files "
            "were joined; it cannot be trusted"
        )
    return total


def _open_chunk(
    source: BinaryIO, aead: AESGCM, digest: bytes, index: int, chunk_size: int
) -> tuple[bytes, bool]:
    prefix = source.read(_LENGTH_BYTES)
    if not prefix:
        raise DecryptionError(
            f"the backup is truncated: it ends before chunk {index}, and the last chunk read was "
            "not its final one; use an intact copy"
        )
    length = int.from_bytes(_read_exactly(source, _LENGTH_BYTES, f"chunk {index}", prefix), "big")
    if not TAG_BYTES <= length <= chunk_size + TAG_BYTES:
        raise DecryptionError(f"backup chunk {index} is corrupted: its length {length} is wrong")
    sealed = _read_exactly(source, length, f"chunk {index}")
    for final in (False, True):
        try:
            return aead.decrypt(_nonce(index), sealed, _aad(digest, index, final)), final
        except InvalidTag:
            continue
    raise DecryptionError(
        f"backup chunk {index} does not authenticate: the file was changed, chunks were "
        "reordered or swapped, or the header was altered; nothing from it may be used"
    )


def _read_exactly(source: BinaryIO, size: int, what: str, already: bytes = b"") -> bytes:
    data = already + _read_full(source, size - len(already))
    if len(data) != size:
        raise DecryptionError(f"the backup is truncated inside {what}; use an intact copy")
    return data


def _read_full(source: BinaryIO, size: int) -> bytes:
    # A pipe or socket may return less than asked before its end.
    parts, remaining = [], size
    while remaining > 0:
        part = source.read(remaining)
        if not part:
            break
        parts.append(part)
        remaining -= len(part)
    return b"".join(parts)


def _aead(data_key: bytes) -> AESGCM:
    if len(data_key) != ROOT_KEY_BYTES:
        raise ValueError(f"a backup data key must be {ROOT_KEY_BYTES} bytes")
    return AESGCM(data_key)


def _nonce(index: int) -> bytes:
    return index.to_bytes(NONCE_BYTES, "big")


def _aad(digest: bytes, index: int, final: bool) -> bytes:
    return length_prefixed(_AAD_DOMAIN, digest, index.to_bytes(8, "big"), bytes([final]))


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _not_a_backup(reason: str) -> InvalidInputError:
    return InvalidInputError(
        f"not a Strongroom backup this version can read ({reason}); check the file name"
    )


def _parse_header(raw: bytes) -> BackupHeader:
    try:
        data = json.loads(raw.decode("utf-8"))
    except (ValueError, RecursionError):
        raise _not_a_backup("its header is not JSON") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise _not_a_backup(f'its header has no "format": "{FORMAT}"')
    if data.get("version") != VERSION or type(data.get("version")) is not int:
        raise _not_a_backup(f"its version is not {VERSION}; a newer Strongroom may read it")
    try:
        return BackupHeader(
            backup_id=_str(data, "backup_id"),
            created_at=datetime.strptime(_str(data, "created_at"), _TIME_FORMAT).replace(
                tzinfo=UTC
            ),
            database=_str(data, "database"),
            root_key_id=_str(data, "root_key_id"),
            backup_key_version=_int(data, "backup_key_version", 1, 2**31),
            wrapped_backup_key=_unb64(_str(data, "wrapped_backup_key")),
            wrapped_data_key=_unb64(_str(data, "wrapped_data_key")),
            audit_signing_keys={
                int(version): _unb64(key) for version, key in data["audit_signing_keys"].items()
            },
            chunk_size=_int(data, "chunk_size", 1, _MAX_CHUNK_SIZE),
        )
    except (KeyError, TypeError, ValueError, AttributeError, binascii.Error):
        raise _not_a_backup("its header is missing a field or has one of the wrong type") from None


def _str(data: dict[str, Any], name: str) -> str:
    value = data[name]
    if not isinstance(value, str) or not value:
        raise TypeError(name)
    return value


def _int(data: dict[str, Any], name: str, low: int, high: int) -> int:
    value = data[name]
    if type(value) is not int or not low <= value <= high:
        raise ValueError(name)
    return value


def _unb64(value: object) -> bytes:
    if not isinstance(value, str):
        raise TypeError("base64")
    return base64.b64decode(value, validate=True)
