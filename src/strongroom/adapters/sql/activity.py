"""SQL repositories for what customers do: events, orders and consents."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.engine import Connection, Row

from strongroom.adapters.sql._support import chunked, unique, write
from strongroom.adapters.sql.tables import consents, events, order_lines, orders
from strongroom.core.models import Consent, CustomerId, Event, Order, OrderLine


class SqlEventRepository:
    """Behavioral events, unique per (source, message id)."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def known_message_ids(self, source_id: str, message_ids: Sequence[str]) -> set[str]:
        known: set[str] = set()
        for chunk in chunked(unique(message_ids)):
            statement = select(events.c.message_id).where(
                events.c.source_id == source_id, events.c.message_id.in_(chunk)
            )
            known.update(self._connection.scalars(statement))
        return known

    def add(self, events_: Sequence[Event]) -> None:
        rows = [
            {
                "id": e.id,
                "source_id": e.source_id,
                "message_id": e.message_id,
                "customer_id": e.customer_id,
                "type": e.type,
                "name": e.name,
                "properties": e.properties,
                "timestamp": e.timestamp,
                "received_at": e.received_at,
            }
            for e in events_
        ]
        write(self._connection, insert(events), rows)

    def count_for_customer(self, customer_id: CustomerId) -> int:
        statement = select(func.count()).where(events.c.customer_id == customer_id)
        return self._connection.scalar(statement) or 0


def _order(row: Row[Any], lines: Sequence[OrderLine]) -> Order:
    return Order(
        id=row.id,
        source_id=row.source_id,
        external_id=row.external_id,
        customer_id=CustomerId(row.customer_id),
        total=row.total,
        currency=row.currency,
        ordered_at=row.ordered_at,
        lines=tuple(lines),
        card_token=row.card_token,
        card_last4=row.card_last4,
        card_brand=row.card_brand,
    )


class SqlOrderRepository:
    """Orders and their lines, unique per (source, external id)."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def known_external_ids(self, source_id: str, external_ids: Sequence[str]) -> set[str]:
        known: set[str] = set()
        for chunk in chunked(unique(external_ids)):
            statement = select(orders.c.external_id).where(
                orders.c.source_id == source_id, orders.c.external_id.in_(chunk)
            )
            known.update(self._connection.scalars(statement))
        return known

    def add(self, orders_: Sequence[Order]) -> None:
        order_rows = [
            {
                "id": o.id,
                "source_id": o.source_id,
                "external_id": o.external_id,
                "customer_id": o.customer_id,
                "total": o.total,
                "currency": o.currency,
                "ordered_at": o.ordered_at,
                "card_token": o.card_token,
                "card_last4": o.card_last4,
                "card_brand": o.card_brand,
            }
            for o in orders_
        ]
        line_rows = [
            {
                "order_id": o.id,
                "line_no": line_no,
                "sku": line.sku,
                "name": line.name,
                "quantity": line.quantity,
                "unit_price": line.unit_price,
            }
            for o in orders_
            for line_no, line in enumerate(o.lines, start=1)
        ]
        write(self._connection, insert(orders), order_rows)
        write(self._connection, insert(order_lines), line_rows)

    def for_customer(self, customer_id: CustomerId) -> list[Order]:
        """The customer's orders, oldest first, each with its lines in order."""
        statement = (
            select(orders)
            .where(orders.c.customer_id == customer_id)
            .order_by(orders.c.ordered_at, orders.c.id)
        )
        order_rows = list(self._connection.execute(statement))
        lines = self._lines([row.id for row in order_rows])
        return [_order(row, lines[row.id]) for row in order_rows]

    def _lines(self, order_ids: Sequence[str]) -> dict[str, list[OrderLine]]:
        lines: dict[str, list[OrderLine]] = defaultdict(list)
        for chunk in chunked(order_ids):
            statement = (
                select(order_lines)
                .where(order_lines.c.order_id.in_(chunk))
                .order_by(order_lines.c.order_id, order_lines.c.line_no)
            )
            for row in self._connection.execute(statement):
                line = OrderLine(row.sku, row.name, row.quantity, row.unit_price)
                lines[row.order_id].append(line)
        return lines


class SqlConsentRepository:
    """Consent decisions; the newest per purpose is the one in force."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def add(self, consents_: Sequence[Consent]) -> None:
        rows = [
            {
                "customer_id": c.customer_id,
                "purpose": c.purpose,
                "granted": c.granted,
                "source_id": c.source_id,
                "recorded_at": c.recorded_at,
            }
            for c in consents_
        ]
        write(self._connection, insert(consents), rows)

    def latest_for_customer(self, customer_id: CustomerId) -> dict[str, bool]:
        """Purpose to granted, from the newest decision (ties: the one stored last)."""
        statement = (
            select(consents.c.purpose, consents.c.granted)
            .where(consents.c.customer_id == customer_id)
            .order_by(consents.c.recorded_at, consents.c.id)
        )
        return {row.purpose: bool(row.granted) for row in self._connection.execute(statement)}
