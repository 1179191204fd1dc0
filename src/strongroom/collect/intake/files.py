"""Reading a received file: streamed in chunks, never whole."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

READ_CHUNK = 1024 * 1024


def read_chunks(path: Path, size: int = READ_CHUNK) -> Iterator[bytes]:
    """The file's bytes, streamed."""
    with path.open("rb") as file:
        while chunk := file.read(size):
            yield chunk


def sha256_of(path: Path) -> str:
    """The file's SHA-256, hex."""
    digest = hashlib.sha256()
    for chunk in read_chunks(path):
        digest.update(chunk)
    return digest.hexdigest()
