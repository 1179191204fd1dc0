"""What key rotation asks of storage behaves alike on the fakes, SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest

from strongroom.core.errors import NotFoundError
from strongroom.core.models import (
    BlindIndexEntry,
    CustomerId,
    Identifier,
    IdentifierKind,
    SubjectKey,
    WrappedDataKey,
)
from strongroom.core.ports import UnitOfWork, UnitOfWorkFactory

T0 = datetime(2024, 5, 1, 12, 30, 15, 123456, tzinfo=UTC)
USER_ID, ANONYMOUS_ID = IdentifierKind.USER_ID, IdentifierKind.ANONYMOUS_ID


def _add_customers(uow_factory: UnitOfWorkFactory, samples, *ids: str) -> list[CustomerId]:
    """Customers with these ids (each holding an email ciphertext), committed."""
    customers = [samples.customer(id=CustomerId(cid)) for cid in ids]
    with uow_factory() as uow:
        uow.customers.add(customers)
        uow.commit()
    return [c.id for c in customers]


# --- Data keys --------------------------------------------------------------------------------


def _keyring() -> list[WrappedDataKey]:
    return [
        WrappedDataKey("blind-index", 1, b"w-bi-1", T0, index_bits=64),
        WrappedDataKey("blind-index", 2, b"w-bi-2", T0 + timedelta(days=1), index_bits=128),
        WrappedDataKey("field-kek", 1, b"w-kek-1", T0),
    ]


def _store_keyring(uow_factory: UnitOfWorkFactory) -> list[WrappedDataKey]:
    keys = _keyring()
    with uow_factory() as uow:
        uow.data_keys.add(keys)
        uow.commit()
    return keys


def test_data_keys_round_trip_their_index_bits_and_retirement(uow_factory):
    keys = [*_keyring(), WrappedDataKey("field-kek", 0, b"", T0, retired_at=T0 + timedelta(1))]
    with uow_factory() as uow:
        uow.data_keys.add(keys)
        uow.commit()

    with uow_factory() as uow:
        assert uow.data_keys.all() == [keys[0], keys[1], keys[3], keys[2]]


def test_rewrapping_data_keys_replaces_only_their_wrapped_form(uow_factory):
    bi_1, bi_2, kek_1 = _store_keyring(uow_factory)
    with uow_factory() as uow:
        uow.data_keys.rewrap(
            [
                replace(bi_2, wrapped=b"new-bi-2", index_bits=8, created_at=T0 + timedelta(9)),
                replace(kek_1, wrapped=b"new-kek-1"),
                WrappedDataKey("field-kek", 7, b"never-stored", T0),
            ]
        )
        uow.data_keys.rewrap([])
        uow.commit()

    with uow_factory() as uow:
        assert uow.data_keys.all() == [
            bi_1,
            replace(bi_2, wrapped=b"new-bi-2"),
            replace(kek_1, wrapped=b"new-kek-1"),
        ]


def test_retiring_a_data_key_drops_its_wrapped_form_and_keeps_the_first_retirement(uow_factory):
    bi_1, bi_2, kek_1 = _store_keyring(uow_factory)
    paris = timezone(timedelta(hours=2))
    with uow_factory() as uow:
        uow.data_keys.retire("blind-index", 1, (T0 + timedelta(hours=1)).astimezone(paris))
        uow.data_keys.retire("blind-index", 1, T0 + timedelta(hours=2))
        uow.commit()

    with uow_factory() as uow:
        retired = replace(bi_1, wrapped=b"", retired_at=T0 + timedelta(hours=1))
        assert uow.data_keys.all() == [retired, bi_2, kek_1]
        assert uow.data_keys.all()[0].retired_at.tzinfo == UTC


def test_a_retired_data_key_cannot_be_rewrapped_back_to_life(uow_factory):
    bi_1, _, _ = _store_keyring(uow_factory)
    with uow_factory() as uow:
        uow.data_keys.retire("blind-index", 1, T0)
        uow.data_keys.rewrap([replace(bi_1, wrapped=b"resurrected")])
        uow.commit()

    with uow_factory() as uow:
        assert uow.data_keys.all()[0] == replace(bi_1, wrapped=b"", retired_at=T0)


@pytest.mark.parametrize(("kind", "version"), [("blind-index", 3), ("no-such-kind", 1)])
def test_retiring_a_data_key_version_that_was_never_stored_is_not_found(
    uow_factory, kind: str, version: int
):
    _store_keyring(uow_factory)
    with uow_factory() as uow, pytest.raises(NotFoundError, match=f"{kind} key version {version}"):
        uow.data_keys.retire(kind, version, T0)


# --- Subject keys -----------------------------------------------------------------------------


def _store_subject_keys(uow_factory: UnitOfWorkFactory, samples) -> dict[str, SubjectKey]:
    """Subject keys of customers c-1 .. c-5, added out of order, wrapped by KEK versions 1-3."""
    versions = {"c-4": 1, "c-2": 2, "c-5": 3, "c-1": 1, "c-3": 2}
    _add_customers(uow_factory, samples, *versions)
    keys = {
        cid: SubjectKey(CustomerId(cid), b"w-" + cid.encode(), v) for cid, v in versions.items()
    }
    with uow_factory() as uow:
        uow.subject_keys.add(list(keys.values()))
        uow.commit()
    return keys


def test_keys_wrapped_by_other_kek_versions_come_in_customer_id_order_up_to_a_limit(
    uow_factory, samples
):
    keys = _store_subject_keys(uow_factory, samples)
    with uow_factory() as uow:
        assert uow.subject_keys.not_wrapped_by(2, limit=10) == [
            keys["c-1"],
            keys["c-4"],
            keys["c-5"],
        ]
        assert uow.subject_keys.not_wrapped_by(2, limit=2) == [keys["c-1"], keys["c-4"]]
        assert uow.subject_keys.not_wrapped_by(9, limit=1) == [keys["c-1"]]
        assert uow.subject_keys.count_by_kek_version() == {1: 2, 2: 2, 3: 1}


def test_rewrapping_subject_keys_moves_them_to_the_new_kek_version(uow_factory, samples):
    keys = _store_subject_keys(uow_factory, samples)
    rewrapped = [SubjectKey(CustomerId(cid), b"new-" + cid.encode(), 4) for cid in ("c-1", "c-5")]
    with uow_factory() as uow:
        uow.subject_keys.rewrap([*rewrapped, SubjectKey(CustomerId("nobody"), b"w", 4)])
        uow.subject_keys.rewrap([])
        uow.commit()

    with uow_factory() as uow:
        assert uow.subject_keys.get_many(list(keys)) == {
            **keys,
            **{k.customer_id: k for k in rewrapped},
        }
        assert uow.subject_keys.get_many([CustomerId("nobody")]) == {}
        assert uow.subject_keys.count_by_kek_version() == {1: 1, 2: 2, 4: 2}
        assert uow.subject_keys.not_wrapped_by(4, limit=10) == [
            keys["c-2"],
            keys["c-3"],
            keys["c-4"],
        ]


def test_no_subject_keys_count_as_no_kek_versions(uow_factory):
    with uow_factory() as uow:
        assert uow.subject_keys.count_by_kek_version() == {}
        assert uow.subject_keys.not_wrapped_by(1, limit=10) == []


# --- Customers' blind indexes -----------------------------------------------------------------


def _store_blind_indexes(uow_factory: UnitOfWorkFactory, samples) -> list[CustomerId]:
    """Customers a..e; a is indexed at versions 1 and 2, b at 1, d not at all, e only by phone.

    c has no email ciphertext at all.
    """
    a, b, c, d, e = (samples.customer(id=CustomerId(f"cust-{x}")) for x in "dbeac")
    c = replace(c, encrypted={"phone": b"ct-phone"})
    with uow_factory() as uow:
        uow.customers.add([a, b, c, d, e])
        uow.subject_keys.add([SubjectKey(x.id, b"w-" + x.id.encode(), 1) for x in (a, b, c, d, e)])
        uow.customers.replace_blind_indexes(
            [
                BlindIndexEntry(a.id, "email", 1, b"a-1"),
                BlindIndexEntry(a.id, "email", 2, b"a-2"),
                BlindIndexEntry(b.id, "email", 1, b"b-1"),
                BlindIndexEntry(c.id, "phone", 1, b"c-1"),
                BlindIndexEntry(e.id, "phone", 2, b"e-2"),
            ]
        )
        uow.commit()
    return [a.id, b.id, c.id, d.id, e.id]


def test_customers_holding_a_field_without_an_index_of_that_version_come_in_id_order(
    uow_factory, samples
):
    a, b, c, d, e = _store_blind_indexes(uow_factory, samples)
    assert [a, b, c, d, e] == ["cust-d", "cust-b", "cust-e", "cust-a", "cust-c"]
    with uow_factory() as uow:
        assert uow.customers.missing_blind_index("email", 2, limit=10) == [d, b, e]
        assert uow.customers.missing_blind_index("email", 2, limit=2) == [d, b]
        assert uow.customers.missing_blind_index("email", 1, limit=10) == [d, e]
        assert uow.customers.missing_blind_index("phone", 1, limit=10) == []
        assert uow.customers.missing_blind_index("phone", 2, limit=10) == [c]
        assert uow.customers.missing_blind_index("address", 1, limit=10) == []


@pytest.mark.parametrize("field", ["age", "shoe_size"])
def test_only_a_field_with_a_ciphertext_column_can_lack_a_blind_index(uow_factory, field: str):
    with uow_factory() as uow, pytest.raises(ValueError, match="not an encrypted customer field"):
        uow.customers.missing_blind_index(field, 1, limit=10)


def test_an_erased_customer_without_a_data_key_is_never_missing_an_index(uow_factory, samples):
    customer = samples.customer(id=CustomerId("cust-erased"))
    with uow_factory() as uow:
        uow.customers.add([customer])  # ciphertext kept, but no data key: crypto-shredded
        uow.commit()
    with uow_factory() as uow:
        assert uow.customers.missing_blind_index("email", 1, limit=10) == []


def test_blind_index_rows_are_counted_per_field_and_version_and_deleted_by_version(
    uow_factory, samples
):
    a, *_ = _store_blind_indexes(uow_factory, samples)
    with uow_factory() as uow:
        assert uow.customers.count_blind_indexes() == {
            ("email", 1): 2,
            ("email", 2): 1,
            ("phone", 1): 1,
            ("phone", 2): 1,
        }
        assert uow.customers.delete_blind_indexes(1) == 3
        assert uow.customers.delete_blind_indexes(1) == 0
        uow.commit()

    with uow_factory() as uow:
        assert uow.customers.count_blind_indexes() == {("email", 2): 1, ("phone", 2): 1}
        assert uow.customers.find_by_blind_index("email", [b"a-1", b"b-1"]) == []
        assert uow.customers.find_by_blind_index("email", [b"a-2"]) == [a]


# --- Identifiers ------------------------------------------------------------------------------


def _identifier(cid: CustomerId, kind: IdentifierKind, value: str, version: int) -> Identifier:
    """The row of ``value`` at blind-index ``version``: its ciphertext stays, its lookup moves."""
    lookup = f"{kind}:{value}:v{version}".encode()
    return Identifier(cid, kind, version, lookup, f"ct-{value}".encode(), T0)


def _store_identifiers(uow_factory: UnitOfWorkFactory, samples) -> dict[str, Identifier]:
    """Alice (cust-b) has two anonymous ids and a user id, Bob (cust-a) one of each kind."""
    alice, bob = _add_customers(uow_factory, samples, "cust-b", "cust-a")
    rows = {
        "alice anon-x v1": _identifier(alice, ANONYMOUS_ID, "anon-x", 1),
        "alice anon-x v2": _identifier(alice, ANONYMOUS_ID, "anon-x", 2),
        "alice anon-w v1": _identifier(alice, ANONYMOUS_ID, "anon-w", 1),
        "alice user v1": _identifier(alice, USER_ID, "u-alice", 1),
        "alice user v3": _identifier(alice, USER_ID, "u-alice", 3),
        "bob user v2": _identifier(bob, USER_ID, "u-bob", 2),
        "bob anon v1": _identifier(bob, ANONYMOUS_ID, "anon-bob", 1),
    }
    with uow_factory() as uow:
        uow.identifiers.add(list(rows.values()))
        uow.commit()
    return rows


def test_identifiers_lacking_a_version_come_once_each_as_their_newest_row(uow_factory, samples):
    rows = _store_identifiers(uow_factory, samples)
    with uow_factory() as uow:
        # in customer id, kind, then ciphertext order: Bob's id sorts first
        assert uow.identifiers.missing_version(3, limit=10) == [
            rows["bob anon v1"],
            rows["bob user v2"],
            rows["alice anon-w v1"],
            rows["alice anon-x v2"],
        ]
        assert uow.identifiers.missing_version(2, limit=10) == [
            rows["bob anon v1"],
            rows["alice anon-w v1"],
            rows["alice user v3"],
        ]


def test_identifiers_lacking_a_version_stop_at_the_limit(uow_factory, samples):
    rows = _store_identifiers(uow_factory, samples)
    with uow_factory() as uow:
        assert uow.identifiers.missing_version(3, limit=1) == [rows["bob anon v1"]]
        uow.identifiers.add([replace(rows["bob anon v1"], key_version=3, lookup=b"bob-v3")])
        assert uow.identifiers.missing_version(3, limit=2) == [
            rows["bob user v2"],
            rows["alice anon-w v1"],
        ]


def test_identifier_rows_are_counted_and_deleted_by_version(uow_factory, samples):
    rows = _store_identifiers(uow_factory, samples)
    with uow_factory() as uow:
        assert uow.identifiers.count_by_version() == {1: 4, 2: 2, 3: 1}
        assert uow.identifiers.delete_version(1) == 4
        assert uow.identifiers.delete_version(1) == 0
        uow.commit()

    with uow_factory() as uow:
        assert uow.identifiers.count_by_version() == {2: 2, 3: 1}
        old_lookup = rows["alice anon-x v1"].lookup
        assert uow.identifiers.resolve(ANONYMOUS_ID, [old_lookup]) == {}
        alice = rows["alice user v3"].customer_id
        kept = [rows["alice anon-x v2"], rows["alice user v3"]]
        assert uow.identifiers.for_customer(alice) == kept


def test_no_identifiers_count_as_no_versions(uow_factory):
    with uow_factory() as uow:
        assert uow.identifiers.count_by_version() == {}
        assert uow.identifiers.missing_version(1, limit=10) == []


# --- Limits -----------------------------------------------------------------------------------


def _not_wrapped_by(uow: UnitOfWork, limit: int) -> object:
    return uow.subject_keys.not_wrapped_by(1, limit=limit)


def _missing_blind_index(uow: UnitOfWork, limit: int) -> object:
    return uow.customers.missing_blind_index("email", 1, limit=limit)


def _missing_version(uow: UnitOfWork, limit: int) -> object:
    return uow.identifiers.missing_version(1, limit=limit)


@pytest.mark.parametrize("query", [_not_wrapped_by, _missing_blind_index, _missing_version])
@pytest.mark.parametrize("limit", [0, -1])
def test_a_limit_below_one_is_refused(uow_factory, query, limit: int):
    with uow_factory() as uow, pytest.raises(ValueError, match="limit must be at least 1"):
        query(uow, limit)
