"""The backup file format: chunked AES-256-GCM, and every way a file can be damaged or forged."""

from __future__ import annotations

import io
import os
import tracemalloc
from datetime import UTC, datetime

import pytest

from strongroom.core.errors import DecryptionError, InvalidInputError
from strongroom.vault.backupformat import (
    MAGIC,
    BackupHeader,
    read_chunks,
    read_header,
    unwrap_data_key,
    wrap_data_key,
    write_backup,
)

CHUNK = 64
TAG = 16
BACKUP_KEY = os.urandom(32)


def _header(backup_id: str = "b-1", chunk_size: int = CHUNK) -> tuple[BackupHeader, bytes]:
    data_key = os.urandom(32)
    header = BackupHeader(
        backup_id=backup_id,
        created_at=datetime(2026, 11, 29, 12, 0, tzinfo=UTC),
        database="sqlite",
        root_key_id="local:0123456789abcdef",
        backup_key_version=1,
        wrapped_backup_key=b"wrapped-by-the-root-key",
        wrapped_data_key=wrap_data_key(BACKUP_KEY, data_key, backup_id=backup_id),
        audit_signing_keys={1: os.urandom(32)},
        chunk_size=chunk_size,
    )
    return header, data_key


def _backup(plaintext: bytes, backup_id: str = "b-1") -> bytes:
    header, data_key = _header(backup_id)
    sink = io.BytesIO()
    write_backup(io.BytesIO(plaintext), sink, header=header, data_key=data_key)
    return sink.getvalue()


def _restore(blob: bytes, backup_key: bytes = BACKUP_KEY) -> bytes:
    source = io.BytesIO(blob)
    header, header_bytes = read_header(source)
    sink = io.BytesIO()
    data_key = unwrap_data_key(backup_key, header)
    read_chunks(source, sink, header=header, header_bytes=header_bytes, data_key=data_key)
    return sink.getvalue()


def _chunks(blob: bytes) -> tuple[bytes, list[bytes]]:
    """The file split into its prefix (magic and header) and its framed chunks."""
    start = len(MAGIC) + 4 + int.from_bytes(blob[len(MAGIC) : len(MAGIC) + 4], "big")
    prefix, rest, chunks = blob[:start], blob[start:], []
    while rest:
        size = 4 + int.from_bytes(rest[:4], "big")
        chunks.append(rest[:size])
        rest = rest[size:]
    return prefix, chunks


PLAIN = bytes(range(256)) * 2  # 512 bytes: eight full chunks of 64


@pytest.mark.parametrize("size", [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK, 512])
def test_what_goes_in_comes_out_for_any_size(size: int) -> None:
    plaintext = os.urandom(size)
    assert _restore(_backup(plaintext)) == plaintext


def test_chunks_are_full_but_the_last_and_the_plaintext_is_nowhere_in_the_file() -> None:
    blob = _backup(PLAIN)
    _, chunks = _chunks(blob)
    assert [len(c) - 4 - TAG for c in chunks] == [CHUNK] * 8
    assert PLAIN[:16] not in blob


def test_a_truncated_backup_is_refused_when_its_final_chunk_is_missing() -> None:
    prefix, chunks = _chunks(_backup(PLAIN))
    with pytest.raises(DecryptionError, match="truncated: it ends before chunk 7"):
        _restore(prefix + b"".join(chunks[:-1]))


def test_a_backup_cut_inside_a_chunk_is_refused_naming_the_chunk() -> None:
    blob = _backup(PLAIN)
    with pytest.raises(DecryptionError, match="truncated inside chunk 7"):
        _restore(blob[:-5])


def test_reordered_chunks_are_refused_naming_the_first_out_of_place() -> None:
    prefix, chunks = _chunks(_backup(PLAIN))
    chunks[2], chunks[3] = chunks[3], chunks[2]
    with pytest.raises(DecryptionError, match="chunk 2 does not authenticate"):
        _restore(prefix + b"".join(chunks))


def test_a_dropped_middle_chunk_is_refused() -> None:
    prefix, chunks = _chunks(_backup(PLAIN))
    with pytest.raises(DecryptionError, match="chunk 4 does not authenticate"):
        _restore(prefix + b"".join(chunks[:4] + chunks[5:]))


@pytest.mark.parametrize("chunk", [0, 3, 7])
def test_a_flipped_bit_is_refused_naming_its_chunk(chunk: int) -> None:
    prefix, chunks = _chunks(_backup(PLAIN))
    damaged = bytearray(chunks[chunk])
    damaged[10] ^= 0x01
    chunks[chunk] = bytes(damaged)
    with pytest.raises(DecryptionError, match=f"chunk {chunk} does not authenticate"):
        _restore(prefix + b"".join(chunks))


def test_a_chunk_from_another_backup_is_refused() -> None:
    prefix, chunks = _chunks(_backup(PLAIN))
    _, others = _chunks(_backup(PLAIN, backup_id="b-1"))  # same id, but its own data key
    chunks[1] = others[1]
    with pytest.raises(DecryptionError, match="chunk 1 does not authenticate"):
        _restore(prefix + b"".join(chunks))


def test_data_after_the_final_chunk_is_refused() -> None:
    blob = _backup(PLAIN)
    with pytest.raises(DecryptionError, match="data after its final chunk"):
        _restore(blob + _chunks(blob)[1][0])


def test_a_changed_header_is_refused_by_the_first_chunk() -> None:
    blob = _backup(PLAIN)
    changed = blob.replace(b'"database":"sqlite"', b'"database":"sqlitf"', 1)
    assert changed != blob
    with pytest.raises(DecryptionError, match="chunk 0 does not authenticate"):
        _restore(changed)


def test_the_wrong_backup_key_cannot_open_the_data_key() -> None:
    with pytest.raises(DecryptionError, match="does not open with backup key version 1"):
        _restore(_backup(PLAIN), backup_key=os.urandom(32))


def test_a_data_key_moved_to_another_backup_id_does_not_open() -> None:
    header, _ = _header("b-1")
    moved = BackupHeader(**{**_fields(header), "backup_id": "b-2"})
    with pytest.raises(DecryptionError, match="backup b-2"):
        unwrap_data_key(BACKUP_KEY, moved)


@pytest.mark.parametrize(
    ("blob", "problem"),
    [
        (b"", "does not start like one"),
        (b"SQLite format 3\x00" + bytes(100), "does not start like one"),
        (MAGIC + (0).to_bytes(4, "big"), "header length 0"),
        (MAGIC + (10).to_bytes(4, "big") + b"not json!!", "not JSON"),
        (MAGIC + (2).to_bytes(4, "big") + b"{}", '"format"'),
    ],
)
def test_a_file_that_is_not_a_backup_is_refused_as_such(blob: bytes, problem: str) -> None:
    with pytest.raises(InvalidInputError, match="not a Strongroom backup") as caught:
        read_header(io.BytesIO(blob))
    assert problem in caught.value.message


class _Zeros(io.RawIOBase):
    """A stream of ``size`` zero bytes that never exists in memory as a whole."""

    def __init__(self, size: int) -> None:
        self._left = size

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        count = min(len(buffer), self._left)
        buffer[:count] = bytes(count)
        self._left -= count
        return count


class _Discard(io.RawIOBase):
    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:  # type: ignore[override]
        return len(data)


def test_a_large_backup_streams_in_constant_memory() -> None:
    header, data_key = _header(chunk_size=1024 * 1024)
    size = 48 * 1024 * 1024
    tracemalloc.start()
    try:
        chunks = write_backup(
            io.BufferedReader(_Zeros(size)), _Discard(), header=header, data_key=data_key
        )
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert chunks == 48
    assert peak < 8 * 1024 * 1024  # a few chunks' worth, not the 48 MiB that went through


def _fields(header: BackupHeader) -> dict[str, object]:
    return {name: getattr(header, name) for name in BackupHeader.__dataclass_fields__}
