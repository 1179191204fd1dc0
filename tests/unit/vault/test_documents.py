"""Sealed files: chunked AES-GCM bound to file, position and end; nothing moved or cut opens."""

from __future__ import annotations

import io
import os

import pytest

from strongroom.core.errors import DecryptionError
from strongroom.vault.documents import CHUNK_BYTES, DOCUMENT, QUARANTINE, open_chunks, seal_chunks

KEY = os.urandom(32)


def _seal(data: bytes, file_id: str = "doc-1", purpose: str = DOCUMENT) -> bytes:
    pieces = [data[i : i + 70_000] for i in range(0, len(data), 70_000)] or [b""]
    return b"".join(seal_chunks(KEY, purpose=purpose, file_id=file_id, chunks=iter(pieces)))


def _open(
    sealed: bytes, file_id: str = "doc-1", purpose: str = DOCUMENT, key: bytes = KEY
) -> bytes:
    return b"".join(open_chunks(key, purpose=purpose, file_id=file_id, sealed=io.BytesIO(sealed)))


@pytest.mark.parametrize("size", [0, 1, CHUNK_BYTES - 1, CHUNK_BYTES, 2 * CHUNK_BYTES + 5])
def test_any_size_round_trips(size: int) -> None:
    data = os.urandom(size)
    sealed = _seal(data)
    assert _open(sealed) == data
    if size >= 16:  # a byte or two of plaintext turns up in random ciphertext by chance
        assert data[:64] not in sealed


def test_a_file_moved_to_another_id_or_purpose_or_key_does_not_open() -> None:
    sealed = _seal(b"passport scan")
    for attempt in (
        lambda: _open(sealed, file_id="doc-2"),
        lambda: _open(sealed, purpose=QUARANTINE),
        lambda: _open(sealed, key=os.urandom(32)),
    ):
        with pytest.raises(DecryptionError):
            attempt()


def test_a_file_cut_after_a_whole_chunk_is_refused() -> None:
    sealed = _seal(os.urandom(2 * CHUNK_BYTES + 5))
    first_chunk_end = 8 + 4 + int.from_bytes(sealed[8:12], "big")
    with pytest.raises(DecryptionError, match="truncated"):
        _open(sealed[:first_chunk_end])


def test_changed_or_appended_bytes_are_refused() -> None:
    sealed = bytearray(_seal(b"x" * 100))
    sealed[30] ^= 1
    with pytest.raises(DecryptionError):
        _open(bytes(sealed))
    with pytest.raises(DecryptionError, match="after its last"):
        _open(_seal(b"y") + b"extra")
