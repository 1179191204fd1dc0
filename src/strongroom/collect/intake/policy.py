"""What intake accepts, declared once: file types by extension, with the types their bytes may
show, the channels each is allowed on, and the size and archive limits."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from strongroom.core.errors import ConfigurationError, UnsupportedFileTypeError
from strongroom.core.intake import IntakeChannel

_IMPORT = frozenset({IntakeChannel.IMPORT})
_DOCUMENT = frozenset({IntakeChannel.DOCUMENT})
_BOTH = _IMPORT | _DOCUMENT
_TEXT = frozenset({"text/plain", "text/csv", "application/csv"})
MiB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class FileType:
    """One allowed kind of file: its extension and what libmagic may say of its bytes."""

    extension: str
    media_types: frozenset[str]
    channels: frozenset[IntakeChannel]
    served_as: str  # the media type a download is labelled with
    archive: str | None = None  # "zip" or "tar": inspected member by member


FILE_TYPES: tuple[FileType, ...] = (
    FileType("csv", _TEXT, _BOTH, "text/csv"),
    FileType("jsonl", _TEXT | {"application/x-ndjson", "application/json"}, _IMPORT, "text/plain"),
    FileType("ndjson", _TEXT | {"application/x-ndjson", "application/json"}, _IMPORT, "text/plain"),
    FileType(
        "parquet",
        frozenset({"application/vnd.apache.parquet"}),
        _IMPORT,
        "application/octet-stream",
    ),
    FileType("zip", frozenset({"application/zip"}), _IMPORT, "application/zip", archive="zip"),
    FileType("tar", frozenset({"application/x-tar"}), _IMPORT, "application/x-tar", archive="tar"),
    FileType("tgz", frozenset({"application/gzip"}), _IMPORT, "application/gzip", archive="tar"),
    FileType("pdf", frozenset({"application/pdf"}), _DOCUMENT, "application/pdf"),
    FileType("png", frozenset({"image/png"}), _DOCUMENT, "image/png"),
    FileType("jpg", frozenset({"image/jpeg"}), _DOCUMENT, "image/jpeg"),
    FileType("jpeg", frozenset({"image/jpeg"}), _DOCUMENT, "image/jpeg"),
    FileType("txt", frozenset({"text/plain"}), _DOCUMENT, "text/plain"),
)
TYPES_BY_EXTENSION = {file_type.extension: file_type for file_type in FILE_TYPES}
MAX_NAME_CHARS = 100
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True, slots=True)
class ArchiveLimits:
    """What an archive may hold, checked from its directory before anything is extracted."""

    max_total_bytes: int = 1024 * MiB  # uncompressed, all members and nested ones together
    max_ratio: float = 100.0  # uncompressed / compressed, per member and overall
    max_members: int = 10_000
    max_depth: int = 2  # an archive in an archive is depth 2
    max_nested_bytes: int = 64 * MiB  # a nested archive is read into memory up to this


@dataclass(frozen=True, slots=True)
class IntakePolicy:
    """The size cap, the allowed types (a subset of FILE_TYPES) and the archive limits."""

    max_bytes: int = 256 * MiB
    extensions: frozenset[str] = frozenset(TYPES_BY_EXTENSION)
    archives: ArchiveLimits = field(default_factory=ArchiveLimits)

    @classmethod
    def from_settings(cls, *, max_bytes: int, allowed: Iterable[str]) -> IntakePolicy:
        """The policy for the settings; ConfigurationError names an unknown extension."""
        extensions = frozenset(name.strip().lower().lstrip(".") for name in allowed if name.strip())
        unknown = sorted(extensions - set(TYPES_BY_EXTENSION))
        if unknown:
            known = ", ".join(TYPES_BY_EXTENSION)
            raise ConfigurationError(
                f"STRONGROOM_INTAKE_ALLOWED_TYPES names {', '.join(unknown)}, which intake "
                f"cannot check; choose from: {known}"
            )
        if not extensions:
            raise ConfigurationError("STRONGROOM_INTAKE_ALLOWED_TYPES allows no type at all")
        return cls(max_bytes=max_bytes, extensions=extensions)

    def file_type(self, name: str, channel: IntakeChannel) -> FileType:
        """The allowed type a file name declares on ``channel``; UnsupportedFileTypeError."""
        extension = extension_of(name)
        file_type = TYPES_BY_EXTENSION.get(extension)
        allowed = self.allowed_on(channel)
        if file_type is None or file_type.extension not in allowed:
            shown = f".{extension}" if extension else "no extension"
            raise UnsupportedFileTypeError(
                f"files with {shown} are not accepted as {channel.value}s; "
                f"allowed: {', '.join('.' + e for e in allowed)}"
            )
        return file_type

    def allowed_on(self, channel: IntakeChannel) -> list[str]:
        return [
            t.extension
            for t in FILE_TYPES
            if t.extension in self.extensions and channel in t.channels
        ]

    def check_content(self, file_type: FileType, sniffed: str) -> None:
        """Refuse bytes that do not show the type the name declares."""
        if sniffed not in file_type.media_types:
            raise UnsupportedFileTypeError(
                f"the file is named .{file_type.extension} but its bytes are {sniffed}; "
                "send the file under its true type"
            )


def extension_of(name: str) -> str:
    """The lower-case extension of the last path part of ``name`` (``tar.gz`` counts as tgz)."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1].lower()
    if base.endswith(".tar.gz"):
        return "tgz"
    stem, dot, extension = base.rpartition(".")
    return extension if dot and stem else ""


def safe_name(name: str) -> str:
    """The last part of ``name`` in safe characters only, for a reviewer's eyes (never a path)."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = _UNSAFE.sub("_", base).strip("._") or "unnamed"
    return cleaned[-MAX_NAME_CHARS:]
