"""How the CLI prints: Rich for people, JSON for scripts, one line on stderr for errors."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

console = Console(highlight=False, soft_wrap=True)
err_console = Console(stderr=True, highlight=False)


def emit_json(data: Any) -> None:
    """Machine-readable output on stdout, nothing else."""
    print(json.dumps(data, indent=2, sort_keys=True, default=str))


def emit_table(title: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    table = Table(title=title, title_justify="left")
    for column in columns:
        table.add_column(column)
    for row in rows:
        table.add_row(*("" if cell is None else str(cell) for cell in row))
    console.print(table)


def emit_error(message: str) -> None:
    # Escaped: a message may quote brackets, e.g. a config table such as [detectors.x].
    err_console.print(f"[bold red]error:[/] {escape(message)}", soft_wrap=True)
