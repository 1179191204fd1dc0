"""The card vault repository and the card columns of orders: alike on fakes, SQLite, PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from strongroom.core.errors import ConflictError
from strongroom.core.models import CustomerId, StoredCard
from strongroom.core.ports import UnitOfWorkFactory

T0 = datetime(2024, 5, 1, 12, 30, 15, 123456, tzinfo=UTC)


def _card(n: int, customer_id: CustomerId | None, **changes: object) -> StoredCard:
    card = StoredCard(
        token=f"tok_{n:032d}",
        ciphertext=b"\x01\x00\x00\x00\x01ciphertext-%d" % n,
        key_version=1,
        fingerprint=b"fp-%d" % n,
        last4=f"{n:04d}"[-4:],
        brand="visa",
        created_at=T0 + timedelta(minutes=n),
        customer_id=customer_id,
    )
    return replace(card, **changes)  # type: ignore[arg-type]


def test_a_card_round_trips_by_its_token(uow_factory: UnitOfWorkFactory, seeded) -> None:
    card, loose = _card(1, seeded.customer.id), _card(2, None)
    with uow_factory() as uow:
        uow.cards.add([card, loose])
        uow.commit()
    with uow_factory() as uow:
        assert uow.cards.get(card.token) == card
        assert uow.cards.get(loose.token) == loose
        assert uow.cards.get("tok_" + "9" * 32) is None


def test_a_card_is_found_by_any_of_its_fingerprints_for_its_own_customer_only(
    uow_factory: UnitOfWorkFactory, seeded, samples
) -> None:
    other = samples.customer()
    mine = _card(1, seeded.customer.id, fingerprint=b"fp-shared")
    theirs = _card(2, other.id, fingerprint=b"fp-shared")
    nobodys = _card(3, None, fingerprint=b"fp-shared")
    with uow_factory() as uow:
        uow.customers.add([other])
        uow.cards.add([mine, theirs, nobodys])
        uow.commit()
    with uow_factory() as uow:
        find = uow.cards.find_by_fingerprint
        assert find(seeded.customer.id, [b"fp-old-version", b"fp-shared"]) == mine
        assert find(other.id, [b"fp-shared"]) == theirs
        assert find(None, [b"fp-shared"]) == nobodys
        assert find(seeded.customer.id, [b"fp-unknown"]) is None
        assert find(seeded.customer.id, []) is None


def test_the_oldest_of_several_matching_cards_is_found(uow_factory: UnitOfWorkFactory) -> None:
    newer = _card(5, None, fingerprint=b"fp-a")
    older = _card(4, None, fingerprint=b"fp-b")
    with uow_factory() as uow:
        uow.cards.add([newer, older])
        uow.commit()
    with uow_factory() as uow:
        assert uow.cards.find_by_fingerprint(None, [b"fp-a", b"fp-b"]) == older


def test_a_token_cannot_be_stored_twice(uow_factory: UnitOfWorkFactory, seeded) -> None:
    card = _card(1, seeded.customer.id)
    with uow_factory() as uow:
        uow.cards.add([card])
        uow.commit()
    with uow_factory() as uow, pytest.raises(ConflictError):
        uow.cards.add([replace(card, fingerprint=b"fp-other")])


def test_one_customer_cannot_hold_two_tokens_for_one_fingerprint(
    uow_factory: UnitOfWorkFactory, seeded
) -> None:
    with uow_factory() as uow:
        uow.cards.add([_card(1, seeded.customer.id, fingerprint=b"fp")])
        uow.commit()
    with uow_factory() as uow, pytest.raises(ConflictError):
        uow.cards.add([_card(2, seeded.customer.id, fingerprint=b"fp")])


def test_cards_of_no_customer_never_clash_on_their_fingerprint(
    uow_factory: UnitOfWorkFactory,
) -> None:
    with uow_factory() as uow:
        uow.cards.add([_card(1, None, fingerprint=b"fp"), _card(2, None, fingerprint=b"fp")])
        uow.commit()
    with uow_factory() as uow:
        assert uow.cards.count_by_key_version() == {1: 2}


def test_cards_are_counted_by_token_key_version(uow_factory: UnitOfWorkFactory, seeded) -> None:
    with uow_factory() as uow:
        assert uow.cards.count_by_key_version() == {}
        uow.cards.add(
            [
                _card(1, seeded.customer.id),
                _card(2, seeded.customer.id, key_version=2),
                _card(3, None, key_version=2),
            ]
        )
        uow.commit()
    with uow_factory() as uow:
        assert uow.cards.count_by_key_version() == {1: 1, 2: 2}


def test_a_card_added_without_commit_is_gone(uow_factory: UnitOfWorkFactory) -> None:
    card = _card(1, None)
    with uow_factory() as uow:
        uow.cards.add([card])
        assert uow.cards.get(card.token) == card  # visible inside its own transaction
    with uow_factory() as uow:
        assert uow.cards.get(card.token) is None


def test_orders_keep_their_card_token_last_four_digits_and_brand(
    uow_factory: UnitOfWorkFactory, seeded, samples
) -> None:
    paid = samples.order(
        seeded.customer.id,
        seeded.source.id,
        card_token="tok_" + "7" * 32,
        card_last4="4444",
        card_brand="mastercard",
    )
    unpaid = samples.order(seeded.customer.id, seeded.source.id)
    with uow_factory() as uow:
        uow.orders.add([paid, unpaid])
        uow.commit()
    with uow_factory() as uow:
        assert uow.orders.for_customer(seeded.customer.id) == [paid, unpaid]
