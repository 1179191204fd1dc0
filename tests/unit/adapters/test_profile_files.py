"""Bulk export files: owner-only, never over an existing file, inert in a spreadsheet, and
nothing left behind when the export fails half-way."""

from __future__ import annotations

import csv
import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from strongroom.adapters.profile_files import write_csv_rows, write_jsonl_rows
from strongroom.core.errors import InvalidInputError

COLUMNS = ("id", "first_name", "age", "consents")
BATCHES = [
    [{"id": "c-1", "first_name": '=HYPERLINK("http://x")', "age": -3, "consents": {"m": True}}],
    [{"id": "c-2", "first_name": "+1 attack", "age": None}, {"id": "c-3", "first_name": "@SUM"}],
]


def test_csv_rows_are_written_owner_only_with_formulas_made_inert(tmp_path: Path) -> None:
    out = tmp_path / "customers.csv"
    assert write_csv_rows(out, COLUMNS, iter(BATCHES)) == 3
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600
    with out.open(newline="") as stream:
        rows = list(csv.DictReader(stream))
    assert [row["first_name"] for row in rows] == [
        '\'=HYPERLINK("http://x")',
        "'+1 attack",
        "'@SUM",
    ]
    assert [row["age"] for row in rows] == ["-3", "", ""]  # numbers stay numbers
    assert json.loads(rows[0]["consents"]) == {"m": True}
    assert list(rows[0]) == list(COLUMNS)


def test_jsonl_rows_are_one_object_a_line(tmp_path: Path) -> None:
    out = tmp_path / "customers.jsonl"
    assert write_jsonl_rows(out, iter(BATCHES)) == 3
    lines = out.read_text().splitlines()
    assert [json.loads(line)["id"] for line in lines] == ["c-1", "c-2", "c-3"]
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600


@pytest.mark.parametrize("writer", ["csv", "jsonl"])
def test_an_existing_file_is_never_overwritten(tmp_path: Path, writer: str) -> None:
    out = tmp_path / "customers.out"
    out.write_text("keep me")
    with pytest.raises(InvalidInputError, match="exists already"):
        _write(writer, out, iter(BATCHES))
    assert out.read_text() == "keep me"


@pytest.mark.parametrize("writer", ["csv", "jsonl"])
def test_an_export_that_fails_half_way_leaves_no_file(tmp_path: Path, writer: str) -> None:
    def failing() -> Iterator[list[dict[str, Any]]]:
        yield BATCHES[0]
        raise RuntimeError("the database went away")

    out = tmp_path / "customers.out"
    with pytest.raises(RuntimeError):
        _write(writer, out, failing())
    assert list(tmp_path.iterdir()) == []


def _write(writer: str, out: Path, batches: Iterator[list[dict[str, Any]]]) -> int:
    if writer == "csv":
        return write_csv_rows(out, COLUMNS, batches)
    return write_jsonl_rows(out, batches)
