"""Result tables to CSV or Parquet files, written atomically: a temporary file, then a rename.

A crash or an error half-way leaves the previous file (or none), never half a file.
"""

from __future__ import annotations

import csv
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.parquet as pq  # type: ignore[import-untyped]

from strongroom.core.analytics import ResultTable
from strongroom.core.errors import InvalidInputError

SUFFIXES = (".csv", ".parquet")


@contextmanager
def atomic_target(path: Path) -> Iterator[Path]:
    """A temporary path beside ``path`` that replaces it only if the block succeeds."""
    if not path.parent.is_dir():
        raise InvalidInputError("the output directory does not exist; create it first")
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent)
    os.close(handle)
    temporary = Path(name)
    try:
        yield temporary
        temporary.replace(path)
    finally:
        temporary.unlink(missing_ok=True)


def _write_csv(table: ResultTable, path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(table.columns)
        writer.writerows(["" if cell is None else cell for cell in row] for row in table.rows)


def _write_parquet(table: ResultTable, path: Path) -> None:
    columns = {name: [row[i] for row in table.rows] for i, name in enumerate(table.columns)}
    pq.write_table(pa.table(columns), path)


_WRITERS: dict[str, Callable[[ResultTable, Path], None]] = {
    ".csv": _write_csv,
    ".parquet": _write_parquet,
}


class TabularFiles:
    """Writes result tables by the file's suffix: .csv or .parquet."""

    def write(self, table: ResultTable, path: Path) -> None:
        writer = _WRITERS.get(path.suffix.lower())
        if writer is None:
            raise InvalidInputError("--out must end in .csv or .parquet")
        with atomic_target(path) as temporary:
            writer(table, temporary)
