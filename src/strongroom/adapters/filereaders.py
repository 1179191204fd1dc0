"""Readers of import files: CSV, JSON Lines and Parquet, streamed record by record.

Each reader yields ``(line number, columns)`` and never holds more than one record (CSV, JSON
Lines) or one record batch (Parquet) in memory. A record that can only partly be read comes as a
``MalformedRecord`` naming the problem; a file that cannot be read on raises InvalidInputError.
Values are JSON-like: text, numbers, booleans, None, lists and objects (Parquet decimals become
text, timestamps ISO 8601 text).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Iterator
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO

import pyarrow as pa  # type: ignore[import-untyped]  # pyarrow ships no type information
import pyarrow.parquet as pq  # type: ignore[import-untyped]

from strongroom.core.errors import InvalidInputError
from strongroom.core.imports import FileFormat, FileRecord, MalformedRecord, RecordReader

_PARQUET_BATCH = 1000
_BOM = b"\xef\xbb\xbf"


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file, read in chunks."""
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


class _CountingFile(io.RawIOBase):
    """A binary file that counts the bytes read through it, for progress."""

    def __init__(self, raw: BinaryIO) -> None:
        self._raw = raw
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._raw.read(len(buffer))
        buffer[: len(data)] = data
        self.count += len(data)
        return len(data)


class CsvReader:
    """A CSV file with a header row, UTF-8 (a byte-order mark is skipped)."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self.total_bytes = path.stat().st_size
        self._counter: _CountingFile | None = None

    @property
    def bytes_read(self) -> int:
        return 0 if self._counter is None else self._counter.count

    def records(self) -> Iterator[FileRecord]:
        with self._path.open("rb") as raw:
            self._counter = _CountingFile(raw)
            buffered = io.BufferedReader(self._counter, buffer_size=1 << 16)
            text = io.TextIOWrapper(buffered, encoding="utf-8-sig", newline="")
            try:
                yield from self._rows(csv.reader(text))
            except UnicodeDecodeError:
                raise InvalidInputError(
                    f"the file is not UTF-8 text (near byte {self.bytes_read}); "
                    "save it as UTF-8 and import again"
                ) from None
            except csv.Error as error:
                raise InvalidInputError(f"the CSV cannot be read on: {error}") from None

    def _rows(self, reader: Any) -> Iterator[FileRecord]:
        header = next(reader, None)
        if header is None:
            return
        _check_header(header)
        start = reader.line_num + 1
        for row in reader:
            line, start = start, reader.line_num + 1
            if not row:
                continue  # a blank line
            columns = dict(zip(header, row, strict=False))
            columns.update((f"field {i + 1}", v) for i, v in enumerate(row) if i >= len(header))
            if len(row) != len(header):
                problem = f"the row has {len(row)} fields; the header has {len(header)}"
                yield line, MalformedRecord(columns, problem)
            else:
                yield line, columns


def _check_header(header: list[str]) -> None:
    seen: set[str] = set()
    for name in header:
        if not name.strip():
            raise InvalidInputError("the CSV header has an empty column name; name every column")
        if name in seen:
            raise InvalidInputError(f"the CSV header names column {name!r} twice")
        seen.add(name)


class JsonLinesReader:
    """One JSON object per line, UTF-8; blank lines are skipped."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self.total_bytes = path.stat().st_size
        self.bytes_read = 0

    def records(self) -> Iterator[FileRecord]:
        with self._path.open("rb") as handle:
            for number, raw in enumerate(handle, start=1):
                self.bytes_read += len(raw)
                data = raw.removeprefix(_BOM) if number == 1 else raw
                if data.strip():
                    yield number, _json_record(data)


def _json_record(data: bytes) -> dict[str, Any]:
    try:
        value = json.loads(data)
    except UnicodeDecodeError:
        return MalformedRecord({}, "the line is not UTF-8 text")
    except (json.JSONDecodeError, RecursionError) as error:
        problem = getattr(error, "msg", "nested too deeply")
        return MalformedRecord({}, f"the line is not valid JSON ({problem})")
    if not isinstance(value, dict):
        return MalformedRecord({}, "the line is not a JSON object")
    return value


class ParquetReader:
    """A Parquet file, read a record batch at a time; line numbers are row numbers from 1."""

    def __init__(self, path: Path) -> None:
        try:
            self._file = pq.ParquetFile(path)
        except (pa.ArrowException, OSError):
            raise InvalidInputError("the file is not a readable Parquet file") from None
        self.total_bytes = path.stat().st_size
        self._rows_total: int = max(int(self._file.metadata.num_rows), 1)
        self._rows_read = 0

    @property
    def bytes_read(self) -> int:
        return self.total_bytes * self._rows_read // self._rows_total

    def records(self) -> Iterator[FileRecord]:
        try:
            for batch in self._file.iter_batches(batch_size=_PARQUET_BATCH):
                for row in batch.to_pylist():
                    self._rows_read += 1
                    yield self._rows_read, {k: _plain(v) for k, v in row.items()}
        except pa.ArrowException as error:
            raise InvalidInputError(f"the Parquet file cannot be read on: {error}") from None
        finally:
            self._file.close()


def _plain(value: Any) -> Any:
    """A Parquet value as JSON-like data."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


class FileRecordReaders:
    """Opens import files by format (the RecordReaders port)."""

    def open(self, path: Path, file_format: FileFormat) -> RecordReader:
        if not path.is_file():
            raise InvalidInputError(f"no file at {path}")
        if file_format is FileFormat.CSV:
            return CsvReader(path)
        if file_format is FileFormat.JSONL:
            return JsonLinesReader(path)
        return ParquetReader(path)
