"""Archive inspection: limits checked from an archive's own directory, nothing extracted.

A zip is judged by its central directory; a tar by its headers, read as a stream through a
counter that stops a compressed bomb before it is unpacked further than the limits allow. A
nested archive is read into memory (never to disk), only if small enough, and judged the same
way one level deeper. Links, devices, absolute names, ``..``, duplicate names and encrypted
members are refused outright: an importer must never be the one to find out what they do.
"""

from __future__ import annotations

import gzip
import io
import stat
import tarfile
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO

from strongroom.collect.intake.policy import TYPES_BY_EXTENSION, ArchiveLimits, extension_of
from strongroom.core.errors import ArchiveRefusedError
from strongroom.core.intake import IntakeChannel

_HEADROOM = 1024 * 1024  # tar headers and padding beyond the members' own bytes


@dataclass
class ArchiveTally:
    """What has been counted so far, across nesting levels."""

    members: int = 0
    total_bytes: int = 0


def inspect_archive(
    source: Path | IO[bytes], kind: str, limits: ArchiveLimits, *, compressed_size: int
) -> ArchiveTally:
    """Check an archive against ``limits``; ArchiveRefusedError says which one it breaks."""
    tally = ArchiveTally()
    _inspect(source, kind, limits, tally, depth=1, compressed_size=compressed_size)
    return tally


def _inspect(
    source: Path | IO[bytes],
    kind: str,
    limits: ArchiveLimits,
    tally: ArchiveTally,
    *,
    depth: int,
    compressed_size: int,
) -> None:
    if depth > limits.max_depth:
        raise ArchiveRefusedError(
            f"archives are nested {depth} deep; at most {limits.max_depth} levels are accepted"
        )
    if kind == "zip":
        _inspect_zip(source, limits, tally, depth)
    else:
        _inspect_tar(source, limits, tally, depth, compressed_size)


def _inspect_zip(
    source: Path | IO[bytes], limits: ArchiveLimits, tally: ArchiveTally, depth: int
) -> None:
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError, ValueError):
        raise ArchiveRefusedError(
            "the zip archive is damaged: its directory cannot be read"
        ) from None
    with archive:
        seen: set[str] = set()
        for info in archive.infolist():
            _check_name(info.filename, seen)
            mode = info.external_attr >> 16
            if stat.S_ISLNK(mode):
                raise ArchiveRefusedError(f"the archive holds a link ({_shown(info.filename)})")
            if info.flag_bits & 0x1:
                raise ArchiveRefusedError(
                    "the archive holds encrypted members, which cannot be scanned"
                )
            if info.is_dir():
                continue
            _count(tally, limits, info.file_size, info.compress_size, info.filename)
            nested = _nested_kind(info.filename)
            if nested is not None:
                opened = archive.open(info)
                _inspect_nested(opened, info.file_size, nested, limits, tally, depth=depth)


def _inspect_tar(
    source: Path | IO[bytes],
    limits: ArchiveLimits,
    tally: ArchiveTally,
    depth: int,
    compressed_size: int,
) -> None:
    raw: IO[bytes] = source.open("rb") if isinstance(source, Path) else source
    budget = limits.max_total_bytes - tally.total_bytes + _HEADROOM
    ratio_cap = int(limits.max_ratio * max(compressed_size, 1)) + _HEADROOM
    try:
        with raw:
            stream = _Bounded(_maybe_gunzip(raw), min(budget, ratio_cap), limits)
            with tarfile.open(fileobj=stream, mode="r|") as archive:
                seen: set[str] = set()
                for member in archive:
                    _check_tar_member(member, seen)
                    if not member.isfile():
                        continue
                    _count(tally, limits, member.size, None, member.name)
                    nested = _nested_kind(member.name)
                    extracted = archive.extractfile(member) if nested else None
                    if nested is not None and extracted is not None:
                        _inspect_nested(extracted, member.size, nested, limits, tally, depth=depth)
    except (tarfile.TarError, OSError, EOFError, gzip.BadGzipFile):
        raise ArchiveRefusedError(
            "the tar archive is damaged: its headers cannot be read"
        ) from None


def _check_tar_member(member: tarfile.TarInfo, seen: set[str]) -> None:
    _check_name(member.name, seen)
    if member.issym() or member.islnk():
        raise ArchiveRefusedError(f"the archive holds a link ({_shown(member.name)})")
    if not (member.isfile() or member.isdir()):
        raise ArchiveRefusedError(
            f"the archive holds a device or special file ({_shown(member.name)})"
        )


def _maybe_gunzip(raw: IO[bytes]) -> IO[bytes]:
    head = raw.read(2)
    raw.seek(0)
    if head == b"\x1f\x8b":
        return gzip.GzipFile(fileobj=raw, mode="rb")  # type: ignore[return-value]
    return raw


def _check_name(name: str, seen: set[str]) -> None:
    if "\x00" in name or "\\" in name or (len(name) > 1 and name[1] == ":"):
        raise ArchiveRefusedError(f"a member name is not a plain relative path ({_shown(name)})")
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts:
        raise ArchiveRefusedError(f"a member name escapes the archive ({_shown(name)})")
    key = str(path)
    if key in seen:
        raise ArchiveRefusedError(f"the archive holds two members named {_shown(name)}")
    seen.add(key)


def _count(
    tally: ArchiveTally, limits: ArchiveLimits, size: int, packed: int | None, name: str
) -> None:
    tally.members += 1
    tally.total_bytes += size
    if tally.members > limits.max_members:
        raise ArchiveRefusedError(f"the archive holds over {limits.max_members} files")
    if tally.total_bytes > limits.max_total_bytes:
        raise ArchiveRefusedError(
            f"the archive unpacks to over {limits.max_total_bytes} bytes (a zip bomb, or too big)"
        )
    if packed is not None and size > limits.max_ratio * max(packed, 1) and size > _HEADROOM:
        raise ArchiveRefusedError(
            f"a member ({_shown(name)}) unpacks over {limits.max_ratio:g} times its packed size "
            "(a zip bomb)"
        )
    file_type = TYPES_BY_EXTENSION.get(extension_of(name))
    if file_type is None or IntakeChannel.IMPORT not in file_type.channels:
        raise ArchiveRefusedError(
            f"the archive holds a file that is not an import type ({_shown(name)})"
        )


def _nested_kind(name: str) -> str | None:
    file_type = TYPES_BY_EXTENSION.get(extension_of(name))
    return None if file_type is None else file_type.archive


def _inspect_nested(
    member: IO[bytes],
    size: int,
    kind: str,
    limits: ArchiveLimits,
    tally: ArchiveTally,
    *,
    depth: int,
) -> None:
    """Read a nested archive (bounded by the limits) and inspect it one level deeper."""
    data = _read_nested(member, size, limits)
    _inspect(io.BytesIO(data), kind, limits, tally, depth=depth + 1, compressed_size=len(data))


def _read_nested(member: IO[bytes], size: int, limits: ArchiveLimits) -> bytes:
    if size > limits.max_nested_bytes:
        raise ArchiveRefusedError(
            f"a nested archive is over {limits.max_nested_bytes} bytes; unpack it and send it alone"
        )
    with member:
        data = member.read(limits.max_nested_bytes + 1)
    if len(data) > limits.max_nested_bytes or len(data) != size:
        raise ArchiveRefusedError("a nested archive is not the size its directory says")
    return data


def _shown(name: str) -> str:
    cleaned = "".join(c if c.isprintable() else "?" for c in name)
    return repr(cleaned[:80])


class _Bounded(io.RawIOBase):
    """Reads through to ``inner``, refusing the archive once more than ``cap`` bytes came out."""

    def __init__(self, inner: IO[bytes], cap: int, limits: ArchiveLimits) -> None:
        self._inner, self._cap, self._limits, self._read = inner, cap, limits, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        data = self._inner.read(len(buffer))
        self._read += len(data)
        if self._read > self._cap:
            raise ArchiveRefusedError(
                f"the archive unpacks to over {self._limits.max_total_bytes} bytes or over "
                f"{self._limits.max_ratio:g} times its packed size (a compression bomb)"
            )
        buffer[: len(data)] = data
        return len(data)
