"""``strongroom catalog``: every field seen at ingest, its class, protection and storage."""

from __future__ import annotations

from typing import Annotated

import typer

from strongroom.cli.context import open_app
from strongroom.cli.output import console, emit_json, emit_table
from strongroom.collect.catalog import read_catalog
from strongroom.core.catalog import CatalogEntry


def catalog(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Show each field seen: data class, protection, storage, records and when last seen."""
    with open_app() as app:
        entries = read_catalog(app.reader)
    if as_json:
        emit_json([_as_json(entry) for entry in entries])
        return
    if not entries:
        console.print("No fields seen yet.")
        return
    emit_table(
        "Field catalog",
        ("scope", "field", "class", "protection", "stored in", "records", "last seen"),
        [
            (
                e.key.scope.value,
                e.key.name,
                e.key.data_class.value,
                e.key.protection.value,
                e.key.storage.value,
                e.records,
                e.last_seen.isoformat(timespec="seconds"),
            )
            for e in entries
        ],
    )


def _as_json(entry: CatalogEntry) -> dict[str, object]:
    key = entry.key
    return {
        "scope": key.scope.value,
        "field": key.name,
        "data_class": key.data_class.value,
        "protection": key.protection.value,
        "storage": key.storage.value,
        "records": entry.records,
        "first_seen": entry.first_seen.isoformat(),
        "last_seen": entry.last_seen.isoformat(),
    }
