"""The erasure repository contract, on the fakes, SQLite and PostgreSQL alike."""

from __future__ import annotations

from datetime import timedelta, timezone

import pytest

from strongroom.core.erasures import Erasure
from strongroom.core.errors import ConflictError
from strongroom.core.models import (
    BlindIndexEntry,
    CustomerId,
    Identifier,
    IdentifierKind,
    StoredCard,
    StoredCustomer,
    SubjectKey,
)
from strongroom.core.ports import UnitOfWork, UnitOfWorkFactory

from .conftest import T0, Samples, Seeded


def _give_everything(uow: UnitOfWork, customer: StoredCustomer, tag: bytes) -> None:
    uow.subject_keys.add([SubjectKey(customer.id, b"wrapped-" + tag, 2)])
    uow.identifiers.add(
        [
            Identifier(customer.id, IdentifierKind.USER_ID, 1, b"user-" + tag, b"ct", T0),
            Identifier(customer.id, IdentifierKind.ANONYMOUS_ID, 1, b"anon-" + tag, b"ct", T0),
        ]
    )
    uow.customers.replace_blind_indexes(
        [
            BlindIndexEntry(customer.id, "email", 1, b"email-" + tag),
            BlindIndexEntry(customer.id, "email", 2, b"email2-" + tag),
            BlindIndexEntry(customer.id, "phone", 1, b"phone-" + tag),
        ]
    )
    card = StoredCard(
        "tok-" + tag.decode(), b"ct-card", 1, b"fp-" + tag, "4242", "visa", T0, customer.id
    )
    uow.cards.add([card])


def _erasure(pseudonym: str, **changes: object) -> Erasure:
    fields: dict[str, object] = {
        "pseudonym": pseudonym,
        "erased_at": T0,
        "actor": "staff:dana",
        "key_versions": {"subject_key": 1, "wrapped_by_field_kek": 2},
        "receipt": '{"type":"strongroom-erasure-receipt"}',
        "recorded_at": T0 + timedelta(seconds=1),
    }
    return Erasure(**{**fields, **changes})  # type: ignore[arg-type]


@pytest.fixture
def two_customers(uow_factory: UnitOfWorkFactory, seeded: Seeded, samples: Samples):
    other = samples.customer()
    with uow_factory() as uow:
        uow.customers.add([other])
        _give_everything(uow, seeded.customer, b"a")
        _give_everything(uow, other, b"b")
        uow.events.add([samples.event(seeded.customer.id, seeded.source.id)])
        uow.orders.add([samples.order(seeded.customer.id, seeded.source.id)])
        uow.commit()
    return seeded.customer, other


def test_shredding_removes_only_that_customers_key_lookups_and_cards(uow_factory, two_customers):
    erased, kept = two_customers
    with uow_factory() as uow:
        shredded = uow.erasures.shred(erased.id)
        uow.commit()
    assert shredded.subject_keys == (SubjectKey(erased.id, b"wrapped-a", 2),)
    assert (shredded.identifiers, shredded.blind_indexes, shredded.cards) == (2, 3, 1)
    with uow_factory() as uow:
        assert uow.subject_keys.get_many([erased.id, kept.id]).keys() == {kept.id}
        assert uow.identifiers.for_customer(erased.id) == []
        assert len(uow.identifiers.for_customer(kept.id)) == 2
        assert uow.customers.find_by_blind_index("email", [b"email-a", b"email2-a"]) == []
        assert uow.customers.find_by_blind_index("email", [b"email-b"]) == [kept.id]
        assert uow.cards.get("tok-a") is None
        assert uow.cards.get("tok-b") is not None
        # What was encrypted under the destroyed key stays, unreadable; events and orders stay.
        assert uow.customers.get_many([erased.id])[erased.id].encrypted == erased.encrypted
        assert uow.events.count_for_customer(erased.id) == 1
        assert len(uow.orders.for_customer(erased.id)) == 1


def test_shredding_a_customer_without_a_key_destroys_nothing(uow_factory, two_customers):
    erased, _ = two_customers
    with uow_factory() as uow:
        uow.erasures.shred(erased.id)
        uow.commit()
    with uow_factory() as uow:
        again = uow.erasures.shred(erased.id)
    assert (again.subject_keys, again.identifiers, again.blind_indexes, again.cards) == (
        (),
        0,
        0,
        0,
    )


def test_shredding_without_commit_leaves_everything_in_place(uow_factory, two_customers):
    erased, _ = two_customers
    with uow_factory() as uow:
        uow.erasures.shred(erased.id)
    with uow_factory() as uow:
        assert erased.id in uow.subject_keys.get_many([erased.id])
        assert len(uow.identifiers.for_customer(erased.id)) == 2


def test_an_erasure_record_round_trips_with_utc_times(uow_factory: UnitOfWorkFactory):
    local = timezone(timedelta(hours=2))
    with uow_factory() as uow:
        uow.erasures.add(_erasure("ps1_a", erased_at=T0.astimezone(local)))
        uow.erasures.add(_erasure("ps1_b"))
        uow.commit()
    with uow_factory() as uow:
        found = uow.erasures.find(["ps1_b", "ps1_a", "ps1_zzz", "ps1_a"])
    assert [e.pseudonym for e in found] == ["ps1_a", "ps1_b"]
    assert found[0] == _erasure("ps1_a")
    assert found[0].erased_at.tzinfo is not None
    assert found[0].erased_at.utcoffset() == timedelta(0)


def test_a_pseudonym_is_recorded_once(uow_factory: UnitOfWorkFactory):
    with uow_factory() as uow:
        uow.erasures.add(_erasure("ps1_a"))
        uow.commit()
    with uow_factory() as uow, pytest.raises(ConflictError):
        uow.erasures.add(_erasure("ps1_a", actor="staff:other"))
    with uow_factory() as uow:
        assert uow.erasures.find(["ps1_a"])[0].actor == "staff:dana"


def test_finding_no_pseudonyms_finds_nothing(uow_factory: UnitOfWorkFactory):
    with uow_factory() as uow:
        assert uow.erasures.find([]) == []


def test_keyed_customers_pages_through_every_keyed_customer_once(uow_factory, samples):
    customers = [samples.customer() for _ in range(7)]
    with uow_factory() as uow:
        uow.customers.add(customers)
        uow.subject_keys.add([SubjectKey(c.id, b"w", 1) for c in customers[:6]])
        uow.commit()
    with uow_factory() as uow:
        uow.erasures.shred(customers[0].id)
        seen: list[CustomerId] = []
        after: CustomerId | None = None
        while page := uow.erasures.keyed_customers(after=after, limit=2):
            assert len(page) <= 2
            seen.extend(page)
            after = page[-1]
    assert len(seen) == len(set(seen)) == 5
    assert set(seen) == {c.id for c in customers[1:6]}


def test_a_page_limit_below_one_is_refused(uow_factory: UnitOfWorkFactory):
    with uow_factory() as uow, pytest.raises(ValueError, match="at least 1"):
        uow.erasures.keyed_customers(after=None, limit=0)
