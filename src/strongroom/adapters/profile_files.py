"""Files of a bulk export of customer profiles: CSV or JSON lines, written batch by batch.

They hold customers' data, so they are created owner-only (0600), never over an existing file,
and appear under their name only when complete: a failed export leaves nothing behind. CSV cells
are made inert for spreadsheets as in the data-subject export (``csv_cell``).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from strongroom.adapters.snapshots import new_private_file
from strongroom.adapters.subject_files import csv_cell

Batches = Iterable[Sequence[Mapping[str, Any]]]


def write_csv_rows(path: Path, columns: Sequence[str], batches: Batches) -> int:
    """A header of ``columns``, then one line per row; the number of rows written."""
    with new_private_file(path) as stream:
        text = io.TextIOWrapper(stream, encoding="utf-8", newline="")
        try:
            writer = csv.writer(text, lineterminator="\n")
            writer.writerow(columns)
            written = 0
            for rows in batches:
                writer.writerows([csv_cell(row.get(column)) for column in columns] for row in rows)
                written += len(rows)
        finally:
            text.detach()  # flushed; the stream stays open for new_private_file to finish
    return written


def write_jsonl_rows(path: Path, batches: Batches) -> int:
    """One JSON object per line; the number of rows written."""
    with new_private_file(path) as stream:
        written = 0
        for rows in batches:
            lines = (json.dumps(row, ensure_ascii=False, default=str) + "\n" for row in rows)
            stream.write("".join(lines).encode())
            written += len(rows)
    return written
