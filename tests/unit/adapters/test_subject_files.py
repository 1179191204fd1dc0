"""A data-subject export is the same whether written to a file by the CLI or answered over HTTP."""

from __future__ import annotations

import csv
import io
import json
import os
import stat
import zipfile
from pathlib import Path

from strongroom.adapters.subject_files import (
    csv_bundle_bytes,
    json_export_bytes,
    write_csv_bundle,
    write_json_export,
)

TABLES = {
    "profile": [{"field": "email", "data_class": "pii", "value": "ada@example.org"}],
    "events": [{"name": '=HYPERLINK("x")', "properties": {"sku": "tea"}, "total": "-3"}],
    "identifiers": [],
}


def test_the_json_file_and_the_http_answer_hold_the_same_bytes(tmp_path: Path) -> None:
    document = {"format": "strongroom-subject-export/1", **TABLES}
    out = tmp_path / "export.json"
    write_json_export(out, document)
    assert out.read_bytes() == json_export_bytes(document)
    assert json.loads(json_export_bytes(document)) == document
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600


def test_the_zip_file_and_the_http_answer_hold_the_same_tables(tmp_path: Path) -> None:
    out = tmp_path / "export.zip"
    write_csv_bundle(out, TABLES)
    with (
        zipfile.ZipFile(out) as written,
        zipfile.ZipFile(io.BytesIO(csv_bundle_bytes(TABLES))) as answered,
    ):
        names = written.namelist()
        assert names == answered.namelist() == ["profile.csv", "events.csv", "identifiers.csv"]
        assert all(written.read(name) == answered.read(name) for name in names)
        (event,) = csv.DictReader(io.StringIO(answered.read("events.csv").decode()))
    assert event == {"name": '\'=HYPERLINK("x")', "properties": '{"sku": "tea"}', "total": "-3"}
