"""Files of a data-subject export: one JSON document, or a zip of CSV tables. Both hold a
person's decrypted data, so they are created owner-only and appear only when complete."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO, Any

from strongroom.adapters.snapshots import new_private_file

Tables = Mapping[str, Sequence[Mapping[str, Any]]]


def write_json_export(path: Path, document: Mapping[str, Any]) -> None:
    """``document`` as indented UTF-8 JSON in a new 0600 file."""
    with new_private_file(path) as stream:
        stream.write(json_export_bytes(document))


def write_csv_bundle(path: Path, tables: Tables) -> None:
    """One CSV per table (header from the first row; nested values as JSON) in a new zip."""
    with new_private_file(path) as stream:
        _zip_tables(stream, tables)


def json_export_bytes(document: Mapping[str, Any]) -> bytes:
    """The JSON file's bytes, for an answer over HTTP."""
    return json.dumps(document, indent=2, ensure_ascii=False, default=str).encode() + b"\n"


def csv_bundle_bytes(tables: Tables) -> bytes:
    """The zip file's bytes, for an answer over HTTP."""
    buffer = io.BytesIO()
    _zip_tables(buffer, tables)
    return buffer.getvalue()


def _zip_tables(stream: IO[bytes], tables: Tables) -> None:
    with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as bundle:
        for name, rows in tables.items():
            bundle.writestr(f"{name}.csv", _csv_text(rows))


def _csv_text(rows: Sequence[Mapping[str, Any]]) -> str:
    buffer = io.StringIO()
    columns = list(dict.fromkeys(key for row in rows for key in row))
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({key: csv_cell(value) for key, value in row.items()})
    return buffer.getvalue()


def csv_cell(value: Any) -> str:
    """One CSV cell: nested values as JSON, formula-like text made inert."""
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    # Cells starting with = + - @ would run as formulas in a spreadsheet (CSV injection).
    text = str(value)
    return (
        "'" + text if text[:1] in {"=", "+", "-", "@", "\t", "\r"} and not _number(text) else text
    )


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
