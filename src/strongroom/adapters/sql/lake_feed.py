"""The store read for the lake and the warehouse: pages after a watermark, canaries left out."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, func, or_, select
from sqlalchemy.engine import Connection, Row

from strongroom.adapters.customer_fields import PLAIN_CUSTOMER_FIELDS
from strongroom.adapters.paging import check_limit
from strongroom.adapters.sql.activity import lines_of
from strongroom.adapters.sql.tables import (
    customers,
    events,
    honeytokens,
    orders,
    sources,
    subject_keys,
)
from strongroom.core.lake import Feed, FeedCustomer, FeedEvent, FeedMark, FeedOrder
from strongroom.core.models import CustomerId

_TABLES = {Feed.EVENTS: events, Feed.ORDERS: orders}


def _after(table: Any, mark: FeedMark | None, until: datetime) -> ColumnElement[bool]:
    received, row_id = table.c.received_at, table.c.id
    condition: ColumnElement[bool] = received <= until
    if mark is not None:
        later = or_(received > mark.at, and_(received == mark.at, row_id > mark.id))
        condition = and_(condition, later)
    return condition


def _not_canary(table: Any) -> ColumnElement[bool]:
    return ~exists().where(honeytokens.c.customer_id == table.c.customer_id)


def _event(row: Row[Any]) -> FeedEvent:
    sealed = row.sealed  # protected fields, ciphertext under the customer's key: never opened
    return FeedEvent(
        id=row.id,
        source=row.source,
        customer_id=CustomerId(row.customer_id),
        type=row.type,
        name=row.name,
        properties=dict(row.properties),
        occurred_at=row.timestamp,
        received_at=row.received_at,
        sealed=None if sealed is None else bytes(sealed),
    )


class SqlLakeFeedRepository:
    """Implements core.lake.LakeFeedRepository with SQLAlchemy Core."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def events_after(
        self, mark: FeedMark | None, *, until: datetime, limit: int
    ) -> list[FeedEvent]:
        check_limit(limit)
        columns: list[Any] = [
            events.c.id,
            sources.c.name.label("source"),
            events.c.customer_id,
            events.c.type,
            events.c.name,
            events.c.properties,
            events.c.timestamp,
            events.c.received_at,
            events.c.sealed,
        ]
        statement = self._page(select(*columns), Feed.EVENTS, mark, until, limit)
        return [_event(row) for row in self._connection.execute(statement)]

    def orders_after(
        self, mark: FeedMark | None, *, until: datetime, limit: int
    ) -> list[FeedOrder]:
        check_limit(limit)
        statement = self._page(
            select(orders, sources.c.name.label("source")), Feed.ORDERS, mark, until, limit
        )
        rows = list(self._connection.execute(statement))
        lines = lines_of(self._connection, [row.id for row in rows])
        return [
            FeedOrder(
                id=row.id,
                source=row.source,
                customer_id=CustomerId(row.customer_id),
                total=row.total,
                currency=row.currency,
                ordered_at=row.ordered_at,
                received_at=row.received_at,
                lines=tuple(lines[row.id]),
            )
            for row in rows
        ]

    def count_after(self, feed: Feed, mark: FeedMark | None, *, until: datetime) -> int:
        table = _TABLES[feed]
        statement = select(func.count()).where(_after(table, mark, until), _not_canary(table))
        return self._connection.scalar(statement) or 0

    def owners_after(
        self, feed: Feed, after: str | None, *, limit: int
    ) -> list[tuple[str, CustomerId]]:
        check_limit(limit)
        table = _TABLES[feed]
        statement = select(table.c.id, table.c.customer_id).where(_not_canary(table))
        if after is not None:
            statement = statement.where(table.c.id > after)
        statement = statement.order_by(table.c.id).limit(limit)
        return [
            (row.id, CustomerId(row.customer_id)) for row in self._connection.execute(statement)
        ]

    def customers_after(self, after: CustomerId | None, *, limit: int) -> list[FeedCustomer]:
        check_limit(limit)
        keyed = exists().where(subject_keys.c.customer_id == customers.c.id)
        plain = [customers.c[name] for name in PLAIN_CUSTOMER_FIELDS]
        statement = select(customers.c.id, keyed.label("keyed"), *plain).where(
            _not_canary_customer()
        )
        if after is not None:
            statement = statement.where(customers.c.id > after)
        statement = statement.order_by(customers.c.id).limit(limit)
        return [
            FeedCustomer(
                id=CustomerId(row.id),
                demographics={
                    name: row._mapping[name]
                    for name in PLAIN_CUSTOMER_FIELDS
                    if row._mapping[name] is not None
                },
                erased=not row.keyed,
            )
            for row in self._connection.execute(statement)
        ]

    def _page(
        self, statement: Select[Any], feed: Feed, mark: FeedMark | None, until: datetime, limit: int
    ) -> Select[Any]:
        table = _TABLES[feed]
        return (
            statement.join(sources, sources.c.id == table.c.source_id)
            .where(_after(table, mark, until), _not_canary(table))
            .order_by(table.c.received_at, table.c.id)
            .limit(limit)
        )


def _not_canary_customer() -> ColumnElement[bool]:
    return ~exists().where(honeytokens.c.customer_id == customers.c.id)
