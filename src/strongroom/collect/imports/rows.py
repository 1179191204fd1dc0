"""One record of a file, mapped: its fields, traits and properties, cleaned and typed.

A row that cannot be read raises ``RowError`` with a reason fit for the reject file: it names
the field and what is wrong, never the value (rows hold personal data).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from strongroom.collect.imports.mapping import PROPERTIES, TRAITS, ImportMapping

_MAX_TEXT = 10_000  # characters in one cell; a longer one is a broken file, not data


class RowError(Exception):
    """A row (or a group of rows) that will not be imported, and why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(slots=True)
class MappedRow:
    """A record after mapping: the line it came from, its original columns, and its fields."""

    line: int
    raw: Mapping[str, Any]
    fields: dict[str, Any] = field(default_factory=dict)
    traits: dict[str, Any] = field(default_factory=dict)
    properties: dict[str, Any] = field(default_factory=dict)

    def text(self, name: str) -> str | None:
        """A field as stripped text (numbers written as text), or None when empty."""
        value = self.fields.get(name)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise RowError(f"{name} must be a text or a number")
        return str(value).strip() or None


def map_row(mapping: ImportMapping, line: int, record: Mapping[str, Any]) -> MappedRow:
    """Apply ``mapping`` to one record; RowError if a value cannot be stored."""
    row = MappedRow(line, record)
    for column, value in record.items():
        target = mapping.target(column)
        cleaned = _clean(value, column)
        if target is not None and cleaned is not None:
            _put(row, target, cleaned)
    for target, default in mapping.defaults.items():
        if _get(row, target) is None:
            _put(row, target, default)
    return row


def parse_timestamp(mapping: ImportMapping, value: Any) -> datetime:
    """A timestamp cell as an aware datetime, read by the mapping's format (ISO 8601 by default)."""
    if isinstance(value, bool):
        raise RowError("timestamp must be a date and time")
    try:
        if isinstance(value, int | float):
            return datetime.fromtimestamp(value, UTC)
        if not isinstance(value, str):
            raise ValueError
        text = value.strip()
        if mapping.timestamp_format:
            parsed = datetime.strptime(text, mapping.timestamp_format)
        else:
            parsed = datetime.fromisoformat(text)
    except (ValueError, OverflowError, OSError):
        expected = mapping.timestamp_format or "ISO 8601, e.g. 2026-03-01T14:30:00Z"
        raise RowError(f"timestamp is not a date and time in the format {expected}") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=mapping.timezone)
    return parsed.astimezone(UTC)


def _clean(value: Any, column: str) -> Any:
    """None for an empty cell; strings checked for what no store can keep."""
    if isinstance(value, str):
        if "\x00" in value:
            raise RowError(f"column {column!r} contains a NUL character")
        if len(value) > _MAX_TEXT:
            raise RowError(f"column {column!r} is over {_MAX_TEXT} characters")
        return value if value.strip() else None
    if isinstance(value, dict | list):
        return value if value else None
    return value


def _put(row: MappedRow, target: str, value: Any) -> None:
    head, _, path = target.partition(".")
    if head == TRAITS:
        _nest(row.traits, path, value)
    elif head == PROPERTIES:
        _nest(row.properties, path, value)
    else:
        row.fields[target] = value


def _nest(into: dict[str, Any], path: str, value: Any) -> None:
    if not path:  # the whole object, e.g. a JSON Lines "traits" object
        if not isinstance(value, dict):
            raise RowError("a traits or properties column must hold an object")
        into.update(value)
        return
    *parents, leaf = [part for part in path.split(".") if part]
    for part in parents:
        child = into.setdefault(part, {})
        if not isinstance(child, dict):
            raise RowError(f"{part} is both a value and an object")
        into = child
    into[leaf] = value


def _get(row: MappedRow, target: str) -> Any:
    head, _, path = target.partition(".")
    if head not in (TRAITS, PROPERTIES):
        return row.fields.get(target)
    found: Any = row.traits if head == TRAITS else row.properties
    for part in (p for p in path.split(".") if p):
        if not isinstance(found, dict):
            return None
        found = found.get(part)
    return found
