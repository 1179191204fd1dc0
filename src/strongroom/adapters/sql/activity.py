"""SQL repositories for what customers do: events, orders and consents."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Table, and_, delete, func, insert, select
from sqlalchemy.engine import Connection, Row
from sqlalchemy.sql.expression import ColumnElement

from strongroom.adapters.paging import check_limit
from strongroom.adapters.sql._support import chunked, unique, write
from strongroom.adapters.sql.moves import reassign, row_ids
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
                "context": e.context,
                "sealed": e.sealed,
            }
            for e in events_
        ]
        write(self._connection, insert(events), rows)

    def count_for_customer(self, customer_id: CustomerId) -> int:
        statement = select(func.count()).where(events.c.customer_id == customer_id)
        return self._connection.scalar(statement) or 0

    def ids_for_customer(self, customer_id: CustomerId) -> list[str]:
        return row_ids(self._connection, events, customer_id)

    def reassign(self, ids: Sequence[str], customer_id: CustomerId) -> None:
        reassign(self._connection, events, ids, customer_id)

    def page_for_customer(
        self, customer_id: CustomerId, *, after: str | None = None, limit: int = 1000
    ) -> list[Event]:
        check_limit(limit)
        statement = select(events).where(events.c.customer_id == customer_id)
        if after is not None:
            statement = statement.where(events.c.id > after)
        rows = self._connection.execute(statement.order_by(events.c.id).limit(limit))
        return [_event(row) for row in rows]

    def count_before(self, cutoff: datetime, *, keep: Sequence[CustomerId]) -> int:
        return _count_before(self._connection, events, events.c.timestamp, cutoff, keep)

    def delete_before(self, cutoff: datetime, *, keep: Sequence[CustomerId], limit: int) -> int:
        ids = _ids_before(self._connection, events, events.c.timestamp, cutoff, keep, limit=limit)
        return self._connection.execute(delete(events).where(events.c.id.in_(ids))).rowcount


def _event(row: Row[Any]) -> Event:
    return Event(
        id=row.id,
        source_id=row.source_id,
        message_id=row.message_id,
        customer_id=CustomerId(row.customer_id),
        type=row.type,
        name=row.name,
        properties=dict(row.properties),
        timestamp=row.timestamp,
        received_at=row.received_at,
        context=dict(row.context or {}),
        sealed=row.sealed,
    )


def lines_of(connection: Connection, order_ids: Sequence[str]) -> dict[str, list[OrderLine]]:
    """The lines of each order, in line order, keyed by order id."""
    lines: dict[str, list[OrderLine]] = defaultdict(list)
    for chunk in chunked(order_ids):
        statement = (
            select(order_lines)
            .where(order_lines.c.order_id.in_(chunk))
            .order_by(order_lines.c.order_id, order_lines.c.line_no)
        )
        for row in connection.execute(statement):
            line = OrderLine(row.sku, row.name, row.quantity, row.unit_price)
            lines[row.order_id].append(line)
    return lines


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
        lines = lines_of(self._connection, [row.id for row in order_rows])
        return [_order(row, lines[row.id]) for row in order_rows]

    def ids_for_customer(self, customer_id: CustomerId) -> list[str]:
        return row_ids(self._connection, orders, customer_id)

    def reassign(self, ids: Sequence[str], customer_id: CustomerId) -> None:
        reassign(self._connection, orders, ids, customer_id)

    def count_before(self, cutoff: datetime, *, keep: Sequence[CustomerId]) -> int:
        return _count_before(self._connection, orders, orders.c.ordered_at, cutoff, keep)

    def delete_before(self, cutoff: datetime, *, keep: Sequence[CustomerId], limit: int) -> int:
        ids = _ids_before(self._connection, orders, orders.c.ordered_at, cutoff, keep, limit=limit)
        self._connection.execute(delete(order_lines).where(order_lines.c.order_id.in_(ids)))
        return self._connection.execute(delete(orders).where(orders.c.id.in_(ids))).rowcount


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
                "wording_version": c.wording_version,
            }
            for c in consents_
        ]
        write(self._connection, insert(consents), rows)

    def ids_for_customer(self, customer_id: CustomerId) -> list[int]:
        return row_ids(self._connection, consents, customer_id)

    def reassign(self, ids: Sequence[int], customer_id: CustomerId) -> None:
        reassign(self._connection, consents, ids, customer_id)

    def granted_customers(self, purpose: str) -> list[CustomerId]:
        """Customers whose newest decision for ``purpose`` is a grant (ties: the last stored)."""
        newest_first = (consents.c.recorded_at.desc(), consents.c.id.desc())
        ranked = (
            select(
                consents.c.customer_id,
                consents.c.granted,
                func.row_number()
                .over(partition_by=consents.c.customer_id, order_by=newest_first)
                .label("n"),
            )
            .where(consents.c.purpose == purpose)
            .subquery()
        )
        statement = (
            select(ranked.c.customer_id)
            .where(ranked.c.n == 1, ranked.c.granted.is_(True))
            .order_by(ranked.c.customer_id)
        )
        return [CustomerId(value) for value in self._connection.scalars(statement)]

    def latest_for_customer(self, customer_id: CustomerId) -> dict[str, bool]:
        """Purpose to granted, from the newest decision (ties: the one stored last)."""
        statement = (
            select(consents.c.purpose, consents.c.granted)
            .where(consents.c.customer_id == customer_id)
            .order_by(consents.c.recorded_at, consents.c.id)
        )
        return {row.purpose: bool(row.granted) for row in self._connection.execute(statement)}

    def history(self, customer_id: CustomerId) -> list[Consent]:
        statement = (
            select(consents)
            .where(consents.c.customer_id == customer_id)
            .order_by(consents.c.recorded_at, consents.c.id)
        )
        return [
            Consent(
                customer_id=CustomerId(row.customer_id),
                purpose=row.purpose,
                granted=bool(row.granted),
                source_id=row.source_id,
                recorded_at=row.recorded_at,
                wording_version=row.wording_version,
            )
            for row in self._connection.execute(statement)
        ]


def _older(
    table: Table, when: ColumnElement[datetime], cutoff: datetime, keep: Sequence[CustomerId]
) -> ColumnElement[bool]:
    condition = when < cutoff
    if keep:
        condition = and_(condition, table.c.customer_id.not_in(list(keep)))
    return condition


def _count_before(
    connection: Connection,
    table: Table,
    when: ColumnElement[datetime],
    cutoff: datetime,
    keep: Sequence[CustomerId],
) -> int:
    statement = select(func.count()).select_from(table).where(_older(table, when, cutoff, keep))
    return connection.scalar(statement) or 0


def _ids_before(
    connection: Connection,
    table: Table,
    when: ColumnElement[datetime],
    cutoff: datetime,
    keep: Sequence[CustomerId],
    *,
    limit: int,
) -> list[str]:
    check_limit(limit)
    statement = (
        select(table.c.id)
        .where(_older(table, when, cutoff, keep))
        .order_by(table.c.id)
        .limit(limit)
    )
    return list(connection.scalars(statement))
