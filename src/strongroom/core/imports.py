"""File imports: what an import reads (records of a file), what a run is, and their ports.

A reader is an I/O adapter (CSV, JSON Lines, Parquet) behind ``RecordReader``: it yields each
record with the line (or row) number it came from, and never holds more than a batch in memory.
"""

from __future__ import annotations

import builtins
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, Protocol

# One record of an input file: its line number (1 = the first line of the file) and its columns.
FileRecord = tuple[int, Mapping[str, Any]]


class MalformedRecord(dict[str, Any]):
    """A record the reader could only partly read (e.g. a CSV row with too many fields).

    Its ``problem`` says what is wrong without quoting the values; it goes to the reject file.
    """

    def __init__(self, columns: Mapping[str, Any], problem: str) -> None:
        super().__init__(columns)
        self.problem = problem


class ImportKind(StrEnum):
    """What the rows of an import file describe."""

    CUSTOMERS = "customers"
    ORDERS = "orders"
    EVENTS = "events"


class FileFormat(StrEnum):
    CSV = "csv"
    JSONL = "jsonl"
    PARQUET = "parquet"


class ImportStatus(StrEnum):
    RUNNING = "running"
    COMPLETED = "completed"  # every row stored or already there
    COMPLETED_WITH_REJECTS = "completed_with_rejects"  # some rows are in the reject file
    FAILED = "failed"  # stopped early (unreadable file, nothing importable); stored rows stay


class RecordReader(Protocol):
    """The records of one file, streamed."""

    @property
    def bytes_read(self) -> int:
        """How far into the file reading has got, for progress (an estimate for Parquet)."""
        ...

    @property
    def total_bytes(self) -> int: ...

    def records(self) -> Iterator[FileRecord]:
        """Each record with its line number; InvalidInputError if the file cannot be read on."""
        ...


class RecordReaders(Protocol):
    """Opens a file of a given format as a RecordReader."""

    def open(self, path: Path, file_format: FileFormat) -> RecordReader: ...


@dataclass(frozen=True, slots=True)
class ImportCounts:
    rows: int = 0  # records read from the file
    stored: int = 0  # rows whose data was new and is now stored
    duplicates: int = 0  # rows already stored by an earlier run (or earlier in the file)
    rejected: int = 0  # rows written to the reject file


@dataclass(frozen=True, slots=True)
class ImportRun:
    """One run of ``strongroom import``: which file (by name and hash), into what, and the outcome.

    ``file_name`` is the file's base name only; the caller chose it, so it should not hold PII.
    """

    id: str
    source_id: str
    source_name: str
    kind: ImportKind
    file_format: FileFormat
    file_name: str
    file_sha256: str
    actor: str
    started_at: datetime
    status: ImportStatus = ImportStatus.RUNNING
    counts: ImportCounts = ImportCounts()
    finished_at: datetime | None = None
    error: str | None = None  # why it failed, never row content


class ImportRunRepository(Protocol):
    def add(self, run: ImportRun) -> None: ...

    def update(self, run: ImportRun) -> None:
        """Store the status, counts and end of a run; NotFoundError if it was never added."""
        ...

    def list(self, *, limit: int = 50) -> builtins.list[ImportRun]:
        """The newest runs first."""
        ...


class RejectSink(Protocol):
    """Where refused rows go: each with its line number, the reason, and its columns.

    It holds the rows' own values, so it may hold as much personal data as the input file.
    """

    @property
    def location(self) -> str:
        """Where the rejects are (a path), for the summary."""
        ...

    def write(self, line: int, reason: str, row: Mapping[str, Any]) -> None: ...

    def close(self) -> None: ...
