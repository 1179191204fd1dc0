"""Rows become tracking calls: customers identify, orders ``Order Completed``, events track/page.

The calls are what the Segment API would have received, so imported data takes the same path
and gets the same protection as tracked data. A customer named by email (or traits) in an order or
event row is introduced by an identify call before it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from strongroom.collect.imports.keys import MessageKeys
from strongroom.collect.imports.mapping import ImportMapping
from strongroom.collect.imports.rows import MappedRow, RowError, parse_timestamp
from strongroom.collect.orders import ORDER_COMPLETED
from strongroom.core.imports import ImportKind

Message = dict[str, Any]
_EVENT_TYPES = ("track", "page", "screen")


@dataclass(frozen=True, slots=True)
class Unit:
    """What one row (or one order's rows) becomes: its calls, the main one last."""

    rows: tuple[MappedRow, ...]
    messages: tuple[Message, ...]
    order_id: str | None = None

    @property
    def message_id(self) -> str:
        message_id: str = self.messages[-1]["messageId"]
        return message_id

    @property
    def lines(self) -> tuple[int, ...]:
        return tuple(row.line for row in self.rows)


class MessageBuilder:
    """Turns mapped rows of one import into units of tracking calls."""

    def __init__(self, kind: ImportKind, mapping: ImportMapping, keys: MessageKeys) -> None:
        self._kind, self._mapping, self._keys = kind, mapping, keys

    def unit(self, rows: Sequence[MappedRow]) -> Unit:
        """The calls for ``rows`` (one row, or the adjacent rows of one order)."""
        if self._kind is ImportKind.CUSTOMERS:
            return Unit(tuple(rows), (self._customer(rows[0]),))
        if self._kind is ImportKind.ORDERS:
            return self._order(rows)
        return self._event(rows[0])

    def _customer(self, row: MappedRow) -> Message:
        who, email = self._identity(row)
        traits = dict(row.traits)
        if email is not None:
            traits["email"] = email
        if not traits and "userId" not in who:
            raise RowError("a customers row needs user_id or email, or some traits")
        message = {"type": "identify", **who, "traits": traits, **self._timestamp(row)}
        message["messageId"] = self._keys.message_id("customers", _canonical(message))
        return message

    def _order(self, rows: Sequence[MappedRow]) -> Unit:
        first = rows[0]
        order_id = first.text("order_id")
        if order_id is None:
            raise RowError("an orders row needs order_id")
        who, email = self._identity(first)
        for row in rows[1:]:
            if self._identity(row) != (who, email):
                raise RowError("the lines of this order name different customers")
        properties: Message = {**first.properties, "order_id": order_id}
        for name in ("total", "currency"):
            if (value := first.text(name)) is not None:
                properties[name] = value
        products = first.fields.get("products")
        lines = [line for row in rows if (line := _line(row))]
        if products is not None and lines:
            raise RowError("an order has either a products column or line columns, not both")
        properties["products"] = products if products is not None else lines
        track = {
            "type": "track",
            "event": ORDER_COMPLETED,
            **who,
            "properties": properties,
            **self._timestamp(first),
            "messageId": self._keys.message_id("orders", order_id),
        }
        return Unit(tuple(rows), (*self._introduce(first, who, email), track), order_id)

    def _event(self, row: MappedRow) -> Unit:
        who, email = self._identity(row)
        kind = (row.text("type") or "track").lower()
        if kind not in _EVENT_TYPES:
            raise RowError(f"type must be one of {', '.join(_EVENT_TYPES)}")
        message: Message = {"type": kind, **who, "properties": row.properties}
        message.update(self._timestamp(row))
        for name in ("event", "name"):
            if (value := row.text(name)) is not None:
                message[name] = value
        explicit = row.text("event_id")
        key = f"id:{explicit}" if explicit is not None else f"row:{_canonical(message)}"
        message["messageId"] = self._keys.message_id("events", key)
        return Unit((row,), (*self._introduce(row, who, email), message))

    def _identity(self, row: MappedRow) -> tuple[dict[str, str], str | None]:
        """The userId/anonymousId of a row, and its email; RowError if it names nobody."""
        who = {
            key: value
            for key, name in (("userId", "user_id"), ("anonymousId", "anonymous_id"))
            if (value := row.text(name)) is not None
        }
        email = row.text("email")
        if email is not None and ("@" not in email or len(email) > 320):
            raise RowError("email is not an email address")
        if email is not None and not who:
            who["anonymousId"] = self._keys.anonymous_id(email)
        if not who:
            raise RowError("the row names no customer: map user_id, anonymous_id or email")
        return who, email

    def _introduce(self, row: MappedRow, who: dict[str, str], email: str | None) -> list[Message]:
        """An identify call carrying the row's email and traits, if it has any."""
        traits = dict(row.traits)
        if email is not None:
            traits["email"] = email
        if not traits:
            return []
        message = {"type": "identify", **who, "traits": traits, **self._timestamp(row)}
        key = _canonical({**who, "traits": traits})  # no timestamp: once per customer and traits
        message["messageId"] = self._keys.message_id(f"{self._kind.value}:identify", key)
        return [message]

    def _timestamp(self, row: MappedRow) -> Message:
        value = row.fields.get("timestamp")
        if value is None:
            return {}
        return {"timestamp": parse_timestamp(self._mapping, value).isoformat()}


def _line(row: MappedRow) -> Message | None:
    """The order line a POS row holds, or None if it holds none."""
    sku = row.text("sku")
    line: Message = {}
    if sku is not None:
        line["sku"] = sku
    if (name := row.text("product_name")) is not None:
        line["name"] = name
    if (price := row.text("price")) is not None:
        line["price"] = price
    if (quantity := row.text("quantity")) is not None:
        line["quantity"] = _whole(quantity)
    if not line:
        return None
    if sku is None:
        raise RowError("an order line needs sku")
    return line


def _whole(text: str) -> int:
    whole, dot, fraction = text.partition(".")
    if not (whole.isascii() and whole.isdigit()) or (dot and fraction.strip("0")):
        raise RowError("quantity must be a whole number")
    return int(whole)


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)
