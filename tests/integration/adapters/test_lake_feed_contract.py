"""The lake feed's contract, on the in-memory fakes, SQLite and PostgreSQL."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from strongroom.core.lake import Feed, FeedMark
from strongroom.core.models import SubjectKey
from strongroom.core.monitoring import Honeytoken
from strongroom.core.ports import UnitOfWorkFactory

from .conftest import T0, Samples, Seeded

FAR = datetime(2100, 1, 1, tzinfo=UTC)


def test_events_page_by_receipt_after_a_mark_up_to_a_limit(
    uow_factory: UnitOfWorkFactory, samples: Samples, seeded: Seeded
) -> None:
    cid, sid = seeded.customer.id, seeded.source.id
    events = [samples.event(cid, sid, sealed=b"ct-%d" % n) for n in range(5)]
    with uow_factory() as uow:
        uow.events.add(list(reversed(events)))
        uow.commit()
    with uow_factory() as uow:
        first = uow.lake_feed.events_after(None, until=FAR, limit=3)
        mark = FeedMark(first[-1].received_at, first[-1].id)
        rest = uow.lake_feed.events_after(mark, until=FAR, limit=3)
        assert uow.lake_feed.count_after(Feed.EVENTS, mark, until=FAR) == 2
    assert [e.id for e in first + rest] == [e.id for e in events]
    assert first[0].source == seeded.source.name
    assert first[0].customer_id == cid
    assert first[0].properties == events[0].properties
    assert first[0].sealed == b"ct-0"
    assert first[0].occurred_at == events[0].timestamp


def test_rows_received_after_until_wait(
    uow_factory: UnitOfWorkFactory, samples: Samples, seeded: Seeded
) -> None:
    early = samples.event(seeded.customer.id, seeded.source.id)
    late = samples.event(seeded.customer.id, seeded.source.id, received_at=T0 + timedelta(days=9))
    with uow_factory() as uow:
        uow.events.add([early, late])
        uow.commit()
    with uow_factory() as uow:
        found = uow.lake_feed.events_after(None, until=T0 + timedelta(days=1), limit=10)
    assert [e.id for e in found] == [early.id]


def test_orders_come_with_their_lines_in_the_order_received(
    uow_factory: UnitOfWorkFactory, samples: Samples, seeded: Seeded
) -> None:
    refund = samples.order(seeded.customer.id, seeded.source.id, total=Decimal("-5.00"))
    with uow_factory() as uow:
        uow.orders.add([refund])
        uow.commit()
    time.sleep(0.002)
    later = samples.order(seeded.customer.id, seeded.source.id, total=Decimal("0.00"), lines=())
    with uow_factory() as uow:
        uow.orders.add([later])
        uow.commit()
    now = datetime.now(UTC) + timedelta(seconds=1)
    with uow_factory() as uow:
        found = uow.lake_feed.orders_after(None, until=now, limit=10)
        mark = FeedMark(found[0].received_at, found[0].id)
        after = uow.lake_feed.orders_after(mark, until=now, limit=10)
    assert [o.id for o in found] == [refund.id, later.id]
    assert found[0].total == Decimal("-5.00")
    assert found[0].lines == refund.lines
    assert found[1].lines == ()
    assert [o.id for o in after] == [later.id]


def test_canary_customers_are_left_out_of_everything(
    uow_factory: UnitOfWorkFactory, samples: Samples, seeded: Seeded
) -> None:
    canary = samples.customer()
    with uow_factory() as uow:
        uow.customers.add([canary])
        uow.honeytokens.add([Honeytoken(canary.id, T0)])
        uow.events.add([samples.event(canary.id, seeded.source.id)])
        uow.orders.add([samples.order(canary.id, seeded.source.id)])
        uow.commit()
    now = datetime.now(UTC) + timedelta(seconds=1)
    with uow_factory() as uow:
        feed = uow.lake_feed
        assert feed.events_after(None, until=now, limit=10) == []
        assert feed.orders_after(None, until=now, limit=10) == []
        assert feed.owners_after(Feed.EVENTS, None, limit=10) == []
        assert [c.id for c in feed.customers_after(None, limit=10)] == [seeded.customer.id]


def test_owners_and_customers_page_by_id(
    uow_factory: UnitOfWorkFactory, samples: Samples, seeded: Seeded
) -> None:
    other = samples.customer(demographics={"age": 41})
    events = [samples.event(seeded.customer.id, seeded.source.id) for _ in range(3)]
    with uow_factory() as uow:
        uow.customers.add([other])
        uow.subject_keys.add([SubjectKey(other.id, b"wrapped", 1)])
        uow.events.add(events)
        uow.commit()
    with uow_factory() as uow:
        owners = uow.lake_feed.owners_after(Feed.EVENTS, None, limit=2)
        more = uow.lake_feed.owners_after(Feed.EVENTS, owners[-1][0], limit=2)
        customers = uow.lake_feed.customers_after(None, limit=1)
        rest = uow.lake_feed.customers_after(customers[-1].id, limit=5)
    assert owners + more == sorted((e.id, seeded.customer.id) for e in events)
    by_id = {c.id: c for c in customers + rest}
    assert by_id[other.id].demographics == {"age": 41}
    assert not by_id[other.id].erased
    assert by_id[seeded.customer.id].erased  # no subject key: as after crypto-shredding
    assert by_id[seeded.customer.id].demographics["gender"] == "f"
