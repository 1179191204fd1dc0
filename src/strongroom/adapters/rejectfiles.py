"""Reject files: the rows an import refused, with line number and reason, as CSV or JSON Lines.

A reject file holds the refused rows' own values, so it may hold as much personal data as the
input: it is created readable by its owner only (mode 0600), and only when a row is refused.
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import IO, Any

_MODE = 0o600
LINE, REASON, OTHER = "line", "reason", "other_columns"  # other: JSON of columns not in the header


class RejectFile:
    """Writes refused rows to ``path``: CSV unless the name ends in ``.jsonl``."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._jsonl = path.suffix.lower() == ".jsonl"
        self._handle: IO[str] | None = None
        self._csv: csv.DictWriter[str] | None = None
        self.count = 0

    @property
    def location(self) -> str:
        return str(self._path)

    def write(self, line: int, reason: str, row: Mapping[str, Any]) -> None:
        handle = self._handle or self._open()
        self.count += 1
        if self._jsonl:
            entry = {LINE: line, REASON: reason, "row": dict(row)}
            handle.write(json.dumps(entry, ensure_ascii=False, default=str) + "\n")
            return
        writer = self._csv or self._writer(handle, row)
        known = {name: value for name, value in row.items() if name in writer.fieldnames}
        other = {name: value for name, value in row.items() if name not in writer.fieldnames}
        extra = {OTHER: json.dumps(other, ensure_ascii=False, default=str)} if other else {}
        writer.writerow({**_flat(known), LINE: line, REASON: reason, **extra})

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None

    def _open(self) -> IO[str]:
        descriptor = os.open(self._path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, _MODE)
        os.fchmod(descriptor, _MODE)  # an older file of that name keeps its mode otherwise
        self._handle = os.fdopen(descriptor, "w", encoding="utf-8", newline="")
        return self._handle

    def _writer(self, handle: IO[str], first: Mapping[str, Any]) -> csv.DictWriter[str]:
        reserved = (LINE, REASON, OTHER)
        columns = [LINE, REASON, *(name for name in first if name not in reserved), OTHER]
        self._csv = csv.DictWriter(handle, columns)
        self._csv.writeheader()
        return self._csv


def _flat(row: Mapping[str, Any]) -> dict[str, Any]:
    return {
        name: json.dumps(value, default=str) if isinstance(value, dict | list) else value
        for name, value in row.items()
    }
