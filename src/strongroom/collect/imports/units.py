"""From records to checked units: mapping, grouping an order's lines, and validation.

Orders in the POS layout have one row per line: rows with the same order id that follow each
other are one order. Rows of an order that reappear later in the file, after other orders, are
refused (not merged, not split into a second order): the reject file says to sort the file.
Every call is validated here exactly as the Segment API validates it, so a bad row is refused
alone and the database never sees it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from pydantic import ValidationError

from strongroom.collect.cards import card_in
from strongroom.collect.imports.mapping import ImportMapping
from strongroom.collect.imports.messages import MessageBuilder, Unit
from strongroom.collect.imports.rows import MappedRow, RowError, map_row
from strongroom.collect.orders import order_draft
from strongroom.collect.segment import MAX_EVENT_BYTES, SegmentMessage
from strongroom.core.errors import InvalidInputError
from strongroom.core.imports import FileRecord, ImportKind, MalformedRecord

NOT_ADJACENT = (
    "this order's lines are not adjacent: other lines of the same order id came earlier in "
    "the file, after which other orders followed; sort the file by order id and import again"
)


@dataclass(frozen=True, slots=True)
class Rejection:
    """Rows that will not be imported, and why (the reason never quotes a value)."""

    rows: tuple[MappedRow, ...]
    reason: str


@dataclass(frozen=True, slots=True)
class Checked:
    """A unit whose calls passed validation, ready to ingest."""

    unit: Unit
    calls: tuple[SegmentMessage, ...]


def checked_units(
    records: Iterable[FileRecord], *, mapping: ImportMapping, builder: MessageBuilder
) -> Iterator[Checked | Rejection]:
    """Each unit of the file, checked, or the rejection of its rows, in file order."""
    mapped = _mapped(records, mapping)
    groups = _order_groups(mapped) if mapping.kind is ImportKind.ORDERS else _singles(mapped)
    for group in groups:
        if isinstance(group, Rejection):
            yield group
            continue
        try:
            unit = builder.unit(group)
            yield Checked(unit, tuple(_validated(message) for message in unit.messages))
        except RowError as rejected:
            yield Rejection(tuple(group), rejected.reason)


def _mapped(
    records: Iterable[FileRecord], mapping: ImportMapping
) -> Iterator[MappedRow | Rejection]:
    for line, record in records:
        if isinstance(record, MalformedRecord):
            yield Rejection((MappedRow(line, record),), record.problem)
            continue
        try:
            yield map_row(mapping, line, record)
        except RowError as rejected:
            yield Rejection((MappedRow(line, record),), rejected.reason)


def _singles(rows: Iterable[MappedRow | Rejection]) -> Iterator[list[MappedRow] | Rejection]:
    for row in rows:
        yield row if isinstance(row, Rejection) else [row]


def _order_groups(rows: Iterable[MappedRow | Rejection]) -> Iterator[list[MappedRow] | Rejection]:
    """Adjacent rows of one order id together; an order's late rows rejected as not adjacent."""
    seen: set[bytes] = set()  # 8-byte digests of the order ids already passed in this file
    group: list[MappedRow] = []
    current: str | None = None
    for row in rows:
        if isinstance(row, Rejection):
            yield row
            continue
        try:
            order_id = row.text("order_id")
        except RowError as rejected:
            yield Rejection((row,), rejected.reason)
            continue
        if group and order_id == current and order_id is not None:
            group.append(row)
            continue
        if group:
            yield group
        group, current = [row], order_id
        if order_id is not None:
            digest = hashlib.blake2b(order_id.encode(), digest_size=8).digest()
            if digest in seen:
                group, current = [], None
                yield Rejection((row,), NOT_ADJACENT)
                continue
            seen.add(digest)
    if group:
        yield group


def _validated(message: dict[str, object]) -> SegmentMessage:
    """The call as the Segment API would accept it; RowError with the reason if not."""
    size = len(json.dumps(message, separators=(",", ":"), default=str).encode())
    if size > MAX_EVENT_BYTES:
        raise RowError(f"the row makes a call of {size} bytes; the limit is {MAX_EVENT_BYTES}")
    try:
        call = SegmentMessage.model_validate(message)
        order_draft(call, where="row")
        card_in(call, where="row")
    except ValidationError as error:
        first = error.errors(include_url=False, include_input=False)[0]
        location = ".".join(str(part) for part in first["loc"])
        reason = first["msg"].removeprefix("Value error, ")
        raise RowError(f"{location}: {reason}" if location else reason) from None
    except InvalidInputError as error:
        raise RowError(error.message) from None
    return call
