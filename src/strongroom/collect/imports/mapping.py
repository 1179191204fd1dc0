"""The mapping of an import file: which column is which field, defaults, and how dates are written.

A mapping file is TOML or JSON with the keys ``columns`` (file column -> field), ``defaults``
(field -> value used when a row leaves it empty), ``timestamp_format`` (``strptime`` codes; ISO
8601 when absent), ``timezone`` (of timestamps written without an offset; UTC when absent) and
optionally ``kind`` (the import kind it is written for). Without a mapping file a column named
like a field is that field, and every other column is a trait (customers) or a property.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from strongroom.core.errors import InvalidInputError
from strongroom.core.imports import ImportKind

TRAITS, PROPERTIES = "traits", "properties"
_COMMON = frozenset({"user_id", "anonymous_id", "email", "timestamp", TRAITS})
LINE_FIELDS = frozenset({"sku", "product_name", "quantity", "price"})
FIELDS: dict[ImportKind, frozenset[str]] = {
    ImportKind.CUSTOMERS: _COMMON,
    ImportKind.ORDERS: _COMMON
    | LINE_FIELDS
    | {"order_id", "total", "currency", "products", PROPERTIES},
    ImportKind.EVENTS: _COMMON | {"event_id", "type", "event", "name", PROPERTIES},
}
_TOP_KEYS = ("kind", "columns", "defaults", "timestamp_format", "timezone")


@dataclass(frozen=True, slots=True)
class ImportMapping:
    """How one file's columns become fields; ``columns`` None means "by their names"."""

    kind: ImportKind
    columns: Mapping[str, str] | None = None
    defaults: Mapping[str, Any] = field(default_factory=dict)
    timestamp_format: str | None = None
    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo("UTC"))

    def target(self, column: str) -> str | None:
        """The field a column fills (``traits.x`` / ``properties.x`` for those), or None."""
        if self.columns is not None:
            return self.columns.get(column)
        if is_field(self.kind, column):
            return column
        return f"{TRAITS if self.kind is ImportKind.CUSTOMERS else PROPERTIES}.{column}"


def is_field(kind: ImportKind, name: str) -> bool:
    """Whether ``name`` is a field of ``kind`` imports (``traits.x`` and ``properties.x`` are)."""
    head, dot, rest = name.partition(".")
    if dot:
        return head in (TRAITS, PROPERTIES) and head in FIELDS[kind] and bool(rest.strip("."))
    return name in FIELDS[kind]


def parse_mapping(text: str, *, kind: ImportKind, suffix: str) -> ImportMapping:
    """Read a mapping file's text (``suffix`` ``.toml`` or ``.json``); errors name the bad key."""
    document = _load(text, suffix)
    unknown = [key for key in document if key not in _TOP_KEYS]
    if unknown:
        raise InvalidInputError(
            f"mapping file: unknown key {unknown[0]!r}; the keys are {', '.join(_TOP_KEYS)}"
        )
    declared = document.get("kind")
    if declared is not None and declared != kind.value:
        raise InvalidInputError(
            f"mapping file: kind is {declared!r} but this import is --kind {kind.value}"
        )
    columns = _columns(kind, document.get("columns"))
    return ImportMapping(
        kind=kind,
        columns=columns,
        defaults=_defaults(kind, document.get("defaults", {})),
        timestamp_format=_optional_text(document, "timestamp_format"),
        timezone=_zone(_optional_text(document, "timezone") or "UTC"),
    )


def _load(text: str, suffix: str) -> dict[str, Any]:
    try:
        if suffix.lower() == ".toml":
            return tomllib.loads(text)
        if suffix.lower() == ".json":
            loaded = json.loads(text)
            if not isinstance(loaded, dict):
                raise InvalidInputError("mapping file: the JSON must be an object")
            return loaded
    except tomllib.TOMLDecodeError as error:
        raise InvalidInputError(f"mapping file is not valid TOML: {error}") from None
    except json.JSONDecodeError as error:
        raise InvalidInputError(
            f"mapping file is not valid JSON: {error.msg} at line {error.lineno}"
        ) from None
    raise InvalidInputError("mapping file must end in .toml or .json")


def _columns(kind: ImportKind, value: Any) -> dict[str, str] | None:
    if value is None:
        return None
    if not isinstance(value, dict) or not value:
        raise InvalidInputError("mapping file: 'columns' must be a table of column = field")
    seen: dict[str, str] = {}
    for column, target in value.items():
        where = f"columns.{column!r}"
        if not isinstance(target, str) or not is_field(kind, target):
            raise InvalidInputError(
                f"mapping file: {where} must name a field of {kind.value} imports, one of "
                f"{', '.join(sorted(FIELDS[kind]))} (or traits.NAME / properties.NAME)"
            )
        if target in seen:
            raise InvalidInputError(
                f"mapping file: {where} maps to {target!r}, as columns.{seen[target]!r} does"
            )
        seen[target] = column
    return dict(value)


def _defaults(kind: ImportKind, value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise InvalidInputError("mapping file: 'defaults' must be a table of field = value")
    for name, default in value.items():
        if not is_field(kind, name):
            raise InvalidInputError(
                f"mapping file: defaults.{name} is not a field of {kind.value} imports"
            )
        if not isinstance(default, str | int | float | bool):
            raise InvalidInputError(f"mapping file: defaults.{name} must be a text or a number")
    return dict(value)


def _optional_text(document: Mapping[str, Any], key: str) -> str | None:
    value = document.get(key)
    if value is not None and (not isinstance(value, str) or not value):
        raise InvalidInputError(f"mapping file: {key} must be a non-empty text")
    return value


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInputError(
            f"mapping file: timezone {name!r} is not a known IANA time zone (e.g. Europe/Paris)"
        ) from None
