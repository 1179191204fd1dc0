"""A unit of work is one transaction, on the fakes, SQLite and PostgreSQL alike."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from strongroom.core.errors import ConflictError
from strongroom.core.models import Consent, Identifier, IdentifierKind


def test_committed_changes_are_seen_by_later_units_of_work(uow_factory, samples):
    customer = samples.customer()
    with uow_factory() as uow:
        uow.customers.add([customer])
        uow.commit()

    with uow_factory() as uow:
        assert uow.customers.count() == 1


def test_leaving_without_commit_rolls_back(uow_factory, samples):
    with uow_factory() as uow:
        uow.customers.add([samples.customer()])

    with uow_factory() as uow:
        assert uow.customers.count() == 0


def _add_then_fail(uow_factory, customer):
    with uow_factory() as uow:
        uow.customers.add([customer])
        raise RuntimeError("boom")


def test_an_exception_in_the_block_rolls_back_and_propagates(uow_factory, samples):
    with pytest.raises(RuntimeError, match="boom"):
        _add_then_fail(uow_factory, samples.customer())

    with uow_factory() as uow:
        assert uow.customers.count() == 0


def test_rollback_discards_and_the_unit_of_work_goes_on(uow_factory, samples):
    kept = samples.customer()
    with uow_factory() as uow:
        uow.customers.add([samples.customer()])
        uow.rollback()
        assert uow.customers.count() == 0
        uow.customers.add([kept])
        uow.commit()

    with uow_factory() as uow:
        assert list(uow.customers.get_many([kept.id])) == [kept.id]
        assert uow.customers.count() == 1


def test_work_after_a_commit_needs_its_own_commit(uow_factory, samples):
    first, second = samples.customer(), samples.customer()
    with uow_factory() as uow:
        uow.customers.add([first])
        uow.commit()
        uow.customers.add([second])

    with uow_factory() as uow:
        assert list(uow.customers.get_many([first.id, second.id])) == [first.id]


def test_after_a_conflict_the_unit_of_work_rolls_back_and_storage_stays_usable(
    uow_factory, samples
):
    customer = samples.customer()
    with uow_factory() as uow:
        uow.customers.add([customer])
        uow.commit()

    def add_fresh_then_duplicate():
        with uow_factory() as uow:
            uow.customers.add([samples.customer()])
            uow.customers.add([customer])

    with pytest.raises(ConflictError):
        add_fresh_then_duplicate()

    with uow_factory() as uow:
        assert uow.customers.count() == 1


def test_datetimes_come_back_timezone_aware_in_utc(uow_factory, samples):
    plus_two = timezone(timedelta(hours=2))
    local = datetime(2024, 3, 31, 1, 30, 0, 250000, tzinfo=plus_two)
    customer = samples.customer(created_at=local, updated_at=local)
    with uow_factory() as uow:
        uow.customers.add([customer])
        uow.consents.add([Consent(customer.id, "marketing", True, "src", local)])
        identifier = Identifier(customer.id, IdentifierKind.USER_ID, 1, b"l", b"c", local)
        uow.identifiers.add([identifier])
        uow.commit()

    with uow_factory() as uow:
        stored = uow.customers.get_many([customer.id])[customer.id]
        [stored_identifier] = uow.identifiers.for_customer(customer.id)
    expected = datetime(2024, 3, 30, 23, 30, 0, 250000, tzinfo=UTC)
    for moment in (stored.created_at, stored.updated_at, stored_identifier.created_at):
        assert moment == expected
        assert moment.tzinfo is UTC


def test_a_unit_of_work_is_used_inside_one_with_block(uow_factory):
    uow = uow_factory()
    with pytest.raises(RuntimeError, match="not entered"):
        uow.commit()
    with uow, pytest.raises(RuntimeError, match="already in use"):
        uow.__enter__()
