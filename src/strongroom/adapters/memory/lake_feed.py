"""In-memory fake of the lake feed, true to the SQL adapter's paging and ordering."""

from __future__ import annotations

from datetime import datetime

from strongroom.adapters.customer_fields import PLAIN_CUSTOMER_FIELDS
from strongroom.adapters.memory.store import Staging
from strongroom.adapters.paging import check_limit
from strongroom.core.lake import Feed, FeedCustomer, FeedEvent, FeedMark, FeedOrder
from strongroom.core.models import CustomerId


def _after(received_at: datetime, row_id: str, mark: FeedMark | None, until: datetime) -> bool:
    if received_at > until:
        return False
    return mark is None or (received_at, row_id) > (mark.at, mark.id)


class MemoryLakeFeedRepository:
    """Fake of LakeFeedRepository."""

    def __init__(self, staging: Staging) -> None:
        self._staging = staging

    def events_after(
        self, mark: FeedMark | None, *, until: datetime, limit: int
    ) -> list[FeedEvent]:
        check_limit(limit)
        return self._events(mark, until)[:limit]

    def orders_after(
        self, mark: FeedMark | None, *, until: datetime, limit: int
    ) -> list[FeedOrder]:
        check_limit(limit)
        return self._orders(mark, until)[:limit]

    def count_after(self, feed: Feed, mark: FeedMark | None, *, until: datetime) -> int:
        rows = self._events(mark, until) if feed is Feed.EVENTS else self._orders(mark, until)
        return len(rows)

    def owners_after(
        self, feed: Feed, after: str | None, *, limit: int
    ) -> list[tuple[str, CustomerId]]:
        check_limit(limit)
        store = self._staging.store
        rows = store.events.values() if feed is Feed.EVENTS else store.orders.values()
        owners = sorted(
            (row.id, row.customer_id)
            for row in rows
            if row.customer_id not in store.honeytokens and (after is None or row.id > after)
        )
        return owners[:limit]

    def customers_after(self, after: CustomerId | None, *, limit: int) -> list[FeedCustomer]:
        check_limit(limit)
        store = self._staging.store
        chosen = sorted(
            cid
            for cid in store.customers
            if cid not in store.honeytokens and (after is None or cid > after)
        )[:limit]
        return [
            FeedCustomer(
                id=cid,
                demographics={
                    name: value
                    for name, value in store.customers[cid].demographics.items()
                    if name in PLAIN_CUSTOMER_FIELDS and value is not None
                },
                erased=cid not in store.subject_keys,
            )
            for cid in chosen
        ]

    def _events(self, mark: FeedMark | None, until: datetime) -> list[FeedEvent]:
        store = self._staging.store
        chosen = sorted(
            (e for e in store.events.values() if e.customer_id not in store.honeytokens),
            key=lambda e: (e.received_at, e.id),
        )
        return [
            FeedEvent(
                id=e.id,
                source=store.sources[e.source_id].name,
                customer_id=e.customer_id,
                type=e.type,
                name=e.name,
                properties=dict(e.properties),
                occurred_at=e.timestamp,
                received_at=e.received_at,
                sealed=e.sealed,
            )
            for e in chosen
            if _after(e.received_at, e.id, mark, until)
        ]

    def _orders(self, mark: FeedMark | None, until: datetime) -> list[FeedOrder]:
        store = self._staging.store
        received = store.order_received_at
        chosen = sorted(
            (o for o in store.orders.values() if o.customer_id not in store.honeytokens),
            key=lambda o: (received[o.id], o.id),
        )
        return [
            FeedOrder(
                id=o.id,
                source=store.sources[o.source_id].name,
                customer_id=o.customer_id,
                total=o.total,
                currency=o.currency,
                ordered_at=o.ordered_at,
                received_at=received[o.id],
                lines=o.lines,
            )
            for o in chosen
            if _after(received[o.id], o.id, mark, until)
        ]
