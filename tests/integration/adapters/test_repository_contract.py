"""The customer-data repositories behave alike on the fakes, SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from strongroom.core.errors import ConflictError
from strongroom.core.models import (
    BlindIndexEntry,
    Consent,
    CustomerId,
    Identifier,
    IdentifierKind,
    SubjectKey,
)
from strongroom.core.ports import UnitOfWorkFactory

T0 = datetime(2024, 5, 1, 12, 30, 15, 123456, tzinfo=UTC)


def test_customers_round_trip_with_ciphertext_and_demographics(uow_factory, samples):
    first, second = samples.customer(), samples.customer(demographics={})
    with uow_factory() as uow:
        uow.customers.add([first, second])
        uow.commit()

    with uow_factory() as uow:
        found = uow.customers.get_many([first.id, second.id, CustomerId("missing")])
        assert found == {first.id: first, second.id: second}
        assert uow.customers.count() == 2


def test_updating_customers_replaces_their_fields_but_not_created_at(uow_factory, seeded):
    changed = replace(
        seeded.customer,
        created_at=T0 + timedelta(days=9),
        updated_at=T0 + timedelta(days=1),
        encrypted={"phone": b"ct-phone"},
        demographics={"occupation": "baker", "age": 41},
    )
    with uow_factory() as uow:
        uow.customers.update([changed])
        uow.commit()

    with uow_factory() as uow:
        stored = uow.customers.get_many([changed.id])[changed.id]
    assert stored == replace(changed, created_at=seeded.customer.created_at)


def test_customer_fields_without_a_column_are_refused(uow_factory, samples):
    customer = samples.customer(encrypted={"favourite_colour": b"ct"})
    with uow_factory() as uow, pytest.raises(ValueError, match="favourite_colour"):
        uow.customers.add([customer])


def test_a_customer_id_cannot_be_added_twice(uow_factory, seeded):
    with uow_factory() as uow, pytest.raises(ConflictError):
        uow.customers.add([seeded.customer])


def test_blind_index_lookup_finds_every_customer_with_a_matching_value(uow_factory, samples):
    alice, bob, carol = samples.customer(), samples.customer(), samples.customer()
    with uow_factory() as uow:
        uow.customers.add([alice, bob, carol])
        uow.customers.replace_blind_indexes(
            [
                BlindIndexEntry(alice.id, "email", 1, b"idx-alice"),
                BlindIndexEntry(alice.id, "email", 2, b"idx-alice-v2"),
                BlindIndexEntry(bob.id, "email", 1, b"idx-shared"),
                BlindIndexEntry(carol.id, "email", 1, b"idx-shared"),
                BlindIndexEntry(carol.id, "phone", 1, b"idx-alice"),
            ]
        )
        uow.commit()

    with uow_factory() as uow:
        assert uow.customers.find_by_blind_index("email", [b"idx-alice"]) == [alice.id]
        assert uow.customers.find_by_blind_index("email", [b"idx-alice-v2"]) == [alice.id]
        shared = uow.customers.find_by_blind_index("email", [b"idx-shared", b"idx-alice"])
        assert shared == sorted([alice.id, bob.id, carol.id])
        assert uow.customers.find_by_blind_index("email", [b"nobody"]) == []
        assert uow.customers.find_by_blind_index("email", []) == []


def test_replacing_a_blind_index_value_forgets_the_old_one(uow_factory, seeded):
    cid = seeded.customer.id
    with uow_factory() as uow:
        uow.customers.replace_blind_indexes([BlindIndexEntry(cid, "email", 1, b"old")])
        uow.commit()
    with uow_factory() as uow:
        uow.customers.replace_blind_indexes([BlindIndexEntry(cid, "email", 1, b"new")])
        uow.commit()

    with uow_factory() as uow:
        assert uow.customers.find_by_blind_index("email", [b"old"]) == []
        assert uow.customers.find_by_blind_index("email", [b"new"]) == [cid]


def test_subject_keys_round_trip_and_cannot_be_replaced(uow_factory, seeded, samples):
    key = SubjectKey(seeded.customer.id, b"wrapped-key", 3)
    with uow_factory() as uow:
        uow.subject_keys.add([key])
        uow.commit()

    with uow_factory() as uow:
        assert uow.subject_keys.get_many([key.customer_id, CustomerId("x")]) == {
            key.customer_id: key
        }
        with pytest.raises(ConflictError):
            uow.subject_keys.add([replace(key, wrapped=b"other")])


def _identifier(customer_id: CustomerId, lookup: bytes, version: int = 1) -> Identifier:
    return Identifier(customer_id, IdentifierKind.USER_ID, version, lookup, b"ct-" + lookup, T0)


def test_identifiers_resolve_by_kind_and_list_per_customer(uow_factory, seeded):
    cid = seeded.customer.id
    anonymous = Identifier(cid, IdentifierKind.ANONYMOUS_ID, 1, b"anon", b"ct-anon", T0)
    email_v1, email_v2 = _identifier(cid, b"mail-v1"), _identifier(cid, b"mail-v2", 2)
    with uow_factory() as uow:
        uow.identifiers.add([anonymous, email_v1, email_v2])
        uow.commit()

    with uow_factory() as uow:
        resolved = uow.identifiers.resolve(IdentifierKind.USER_ID, [b"mail-v1", b"mail-v2", b"no"])
        assert resolved == {b"mail-v1": cid, b"mail-v2": cid}
        assert uow.identifiers.resolve(IdentifierKind.USER_ID, [b"anon"]) == {}
        assert uow.identifiers.for_customer(cid) == [anonymous, email_v1, email_v2]


@pytest.mark.parametrize("same_batch", [False, True], ids=["stored", "same-batch"])
def test_an_identifier_lookup_is_unique_per_kind_and_key_version(
    uow_factory: UnitOfWorkFactory, seeded, same_batch: bool
):
    cid = seeded.customer.id
    with uow_factory() as uow:
        uow.identifiers.add([_identifier(cid, b"dup", 2)])  # another key version is fine
        if not same_batch:
            uow.identifiers.add([_identifier(cid, b"dup")])
            uow.commit()
    batch = [_identifier(cid, b"dup")] * (2 if same_batch else 1)
    with uow_factory() as uow, pytest.raises(ConflictError):
        uow.identifiers.add(batch)


def test_events_round_trip_and_report_known_message_ids(uow_factory, seeded, samples):
    cid, sid = seeded.customer.id, seeded.source.id
    events = [samples.event(cid, sid), samples.event(cid, sid, name=None, properties={})]
    with uow_factory() as uow:
        uow.events.add(events)
        uow.commit()

    with uow_factory() as uow:
        ids = [events[0].message_id, events[1].message_id, "unknown"]
        assert uow.events.known_message_ids(sid, ids) == {e.message_id for e in events}
        assert uow.events.known_message_ids("other-source", ids) == set()
        assert uow.events.count_for_customer(cid) == 2
        assert uow.events.count_for_customer(CustomerId("nobody")) == 0


def test_a_message_id_is_unique_per_source(uow_factory, seeded, samples):
    cid, sid = seeded.customer.id, seeded.source.id
    event = samples.event(cid, sid)
    with uow_factory() as uow:
        uow.events.add([event])
        uow.commit()
    with uow_factory() as uow, pytest.raises(ConflictError):
        uow.events.add([samples.event(cid, sid, message_id=event.message_id)])


def test_orders_come_back_oldest_first_with_their_lines(uow_factory, seeded, samples):
    cid, sid = seeded.customer.id, seeded.source.id
    later = samples.order(cid, sid, ordered_at=T0 + timedelta(days=2))
    earlier = samples.order(cid, sid, ordered_at=T0, lines=(), total=Decimal("0.00"))
    big = samples.order(cid, sid, total=Decimal("999999999999.99"))
    with uow_factory() as uow:
        uow.orders.add([later, earlier, big])
        uow.commit()

    with uow_factory() as uow:
        orders = uow.orders.for_customer(cid)
        known = uow.orders.known_external_ids(sid, [later.external_id, "nope"])
    assert orders == sorted([later, earlier, big], key=lambda o: o.ordered_at)
    assert orders[-1].lines[0].unit_price == Decimal("49.99")
    assert known == {later.external_id}


def test_an_external_order_id_is_unique_per_source(uow_factory, seeded, samples):
    cid, sid = seeded.customer.id, seeded.source.id
    order = samples.order(cid, sid)
    with uow_factory() as uow:
        uow.orders.add([order])
        uow.commit()
    with uow_factory() as uow, pytest.raises(ConflictError):
        uow.orders.add([samples.order(cid, sid, external_id=order.external_id)])


def test_the_newest_consent_per_purpose_is_in_force(uow_factory, seeded):
    cid, sid = seeded.customer.id, seeded.source.id
    decisions = [
        Consent(cid, "marketing", True, sid, T0 + timedelta(hours=2)),
        Consent(cid, "marketing", False, sid, T0 + timedelta(hours=1)),
        Consent(cid, "analytics", False, sid, T0),
        Consent(cid, "analytics", True, sid, T0 + timedelta(hours=3)),
    ]
    with uow_factory() as uow:
        uow.consents.add(decisions)
        uow.commit()

    with uow_factory() as uow:
        assert uow.consents.latest_for_customer(cid) == {"marketing": True, "analytics": True}
        assert uow.consents.latest_for_customer(CustomerId("nobody")) == {}


def test_batches_are_empty_safe(uow_factory: UnitOfWorkFactory):
    with uow_factory() as uow:
        uow.customers.add([])
        uow.customers.update([])
        uow.customers.replace_blind_indexes([])
        uow.subject_keys.add([])
        uow.identifiers.add([])
        uow.events.add([])
        uow.orders.add([])
        uow.consents.add([])
        uow.data_keys.add([])
        uow.audit.append([])
        assert uow.customers.get_many([]) == {}
        assert uow.events.known_message_ids("s", []) == set()
        uow.commit()


def test_lookups_of_many_values_are_batched_transparently(uow_factory, samples):
    customers = [samples.customer() for _ in range(1200)]
    with uow_factory() as uow:
        uow.customers.add(customers)
        uow.commit()

    with uow_factory() as uow:
        found = uow.customers.get_many([c.id for c in customers])
    assert len(found) == 1200
