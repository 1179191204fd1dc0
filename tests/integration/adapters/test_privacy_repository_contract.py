"""The privacy repositories behave alike on the fakes, SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from strongroom.core.errors import ConflictError, NotFoundError
from strongroom.core.models import (
    Channel,
    Consent,
    CustomerId,
    Event,
    Order,
    OrderLine,
    Source,
    StoredCustomer,
    WriteKey,
)
from strongroom.core.ports import UnitOfWorkFactory
from strongroom.core.privacy import (
    DataSubjectRequest,
    LegalHold,
    RequestKind,
    RequestStatus,
    due_date,
)

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
ALICE = CustomerId("00000000-0000-4000-8000-00000000000a")
BOB = CustomerId("00000000-0000-4000-8000-00000000000b")


def _seed(factory: UnitOfWorkFactory) -> None:
    with factory() as uow:
        uow.customers.add([StoredCustomer(cid, NOW, NOW, {}, {}) for cid in (ALICE, BOB)])
        uow.sources.add(
            Source("src-1", "web", Channel.WEB, NOW),
            WriteKey("key-1", "src-1", b"h" * 32, "srk_abc", NOW),
        )
        uow.commit()


def _event(n: int, customer: CustomerId, days_ago: int) -> Event:
    when = NOW - timedelta(days=days_ago)
    return Event(
        f"ev-{n:04d}", "src-1", f"m-{n}", customer, "track", "Viewed", {"n": n}, when, when
    )


def _order(n: int, customer: CustomerId, days_ago: int) -> Order:
    line = OrderLine("sku-1", "Tea", 2, Decimal("3.50"))
    return Order(
        f"or-{n:04d}",
        "src-1",
        f"ext-{n}",
        customer,
        Decimal("7.00"),
        "EUR",
        NOW - timedelta(days=days_ago),
        (line,),
    )


def test_consent_history_keeps_every_decision_with_its_wording(
    uow_factory: UnitOfWorkFactory,
) -> None:
    _seed(uow_factory)
    with uow_factory() as uow:
        uow.consents.add(
            [
                Consent(ALICE, "marketing", True, "src-1", NOW - timedelta(days=2), "nl-v1"),
                Consent(ALICE, "marketing", False, "staff:dana", NOW, "nl-v2"),
                Consent(BOB, "marketing", True, "src-1", NOW),
            ]
        )
        uow.commit()
    with uow_factory() as uow:
        history = uow.consents.history(ALICE)
        latest = uow.consents.latest_for_customer(ALICE)
    assert [(c.granted, c.wording_version) for c in history] == [(True, "nl-v1"), (False, "nl-v2")]
    assert history[1].source_id == "staff:dana"
    assert latest == {"marketing": False}


def test_requests_are_listed_by_due_date_and_updated_in_place(
    uow_factory: UnitOfWorkFactory,
) -> None:
    _seed(uow_factory)
    late = DataSubjectRequest(
        "r-late",
        ALICE,
        RequestKind.ACCESS,
        RequestStatus.RECEIVED,
        NOW - timedelta(days=40),
        due_date(NOW - timedelta(days=40)),
        "staff:dana",
    )
    soon = DataSubjectRequest(
        "r-soon", BOB, RequestKind.ERASURE, RequestStatus.RECEIVED, NOW, due_date(NOW), "staff:dana"
    )
    with uow_factory() as uow:
        uow.privacy_requests.add(soon)
        uow.privacy_requests.add(late)
        uow.commit()
    with uow_factory() as uow:
        assert [r.id for r in uow.privacy_requests.list(open_only=True, limit=10)] == [
            "r-late",
            "r-soon",
        ]
        done = DataSubjectRequest(**{**_fields(late), "status": RequestStatus.COMPLETED})
        uow.privacy_requests.update(done)
        uow.commit()
    with uow_factory() as uow:
        assert [r.id for r in uow.privacy_requests.list(open_only=True, limit=10)] == ["r-soon"]
        assert uow.privacy_requests.get("r-late") == done
        assert [r.id for r in uow.privacy_requests.for_customer(ALICE)] == ["r-late"]
        with pytest.raises(NotFoundError):
            uow.privacy_requests.update(DataSubjectRequest(**{**_fields(done), "id": "nope"}))


def _fields(request: DataSubjectRequest) -> dict[str, object]:
    return {name: getattr(request, name) for name in DataSubjectRequest.__slots__}


def test_a_legal_hold_is_active_until_released_once(uow_factory: UnitOfWorkFactory) -> None:
    _seed(uow_factory)
    with uow_factory() as uow:
        uow.legal_holds.add(LegalHold("h-1", ALICE, "case 17", "staff:dana", NOW))
        uow.commit()
    with uow_factory() as uow:
        assert [h.id for h in uow.legal_holds.active_for([ALICE, BOB])] == ["h-1"]
        released = uow.legal_holds.release("h-1", released_by="staff:dana", released_at=NOW)
        uow.commit()
    assert released.released_at == NOW
    assert not released.active
    with uow_factory() as uow:
        assert uow.legal_holds.active_for([ALICE]) == []
        assert [h.id for h in uow.legal_holds.list(active_only=False)] == ["h-1"]
        with pytest.raises(ConflictError):
            uow.legal_holds.release("h-1", released_by="staff:dana", released_at=NOW)
        with pytest.raises(NotFoundError):
            uow.legal_holds.release("h-2", released_by="staff:dana", released_at=NOW)


def test_events_page_by_id_for_one_customer(uow_factory: UnitOfWorkFactory) -> None:
    _seed(uow_factory)
    with uow_factory() as uow:
        uow.events.add([_event(n, ALICE if n % 2 else BOB, 1) for n in range(1, 8)])
        uow.commit()
    with uow_factory() as uow:
        first = uow.events.page_for_customer(ALICE, limit=2)
        rest = uow.events.page_for_customer(ALICE, after=first[-1].id, limit=10)
    assert [e.id for e in first + rest] == ["ev-0001", "ev-0003", "ev-0005", "ev-0007"]
    assert rest[0].properties == {"n": 5}


def test_retention_deletes_old_records_except_those_kept(uow_factory: UnitOfWorkFactory) -> None:
    _seed(uow_factory)
    with uow_factory() as uow:
        uow.events.add([_event(1, ALICE, 500), _event(2, BOB, 500), _event(3, BOB, 10)])
        uow.orders.add([_order(1, ALICE, 5000), _order(2, BOB, 5000), _order(3, BOB, 1)])
        uow.commit()
    cutoff = NOW - timedelta(days=400)
    with uow_factory() as uow:
        assert uow.events.count_before(cutoff, keep=[]) == 2
        assert uow.events.count_before(cutoff, keep=[ALICE]) == 1
        assert uow.events.delete_before(cutoff, keep=[ALICE], limit=10) == 1
        assert uow.orders.delete_before(cutoff, keep=[ALICE], limit=10) == 1
        uow.commit()
    with uow_factory() as uow:
        assert [e.id for e in uow.events.page_for_customer(BOB)] == ["ev-0003"]
        assert [o.external_id for o in uow.orders.for_customer(BOB)] == ["ext-3"]
        assert [o.external_id for o in uow.orders.for_customer(ALICE)] == ["ext-1"]
        assert uow.events.delete_before(cutoff, keep=[ALICE], limit=10) == 0
