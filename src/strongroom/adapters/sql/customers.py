"""SQL repositories for customer profiles, their blind indexes, subject keys and identifiers."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import bindparam, delete, func, insert, select, update
from sqlalchemy.engine import Connection, Row

from strongroom.adapters.customer_fields import (
    ENCRYPTED_CUSTOMER_FIELDS,
    PLAIN_CUSTOMER_FIELDS,
    check_customer_fields,
    check_encrypted_field,
)
from strongroom.adapters.paging import check_limit
from strongroom.adapters.sql._support import chunked, unique, write
from strongroom.adapters.sql.tables import blind_indexes, customers, identifiers, subject_keys
from strongroom.core.models import (
    BlindIndexEntry,
    CustomerId,
    Identifier,
    IdentifierKind,
    StoredCustomer,
    SubjectKey,
)


def _customer_row(customer: StoredCustomer) -> dict[str, Any]:
    check_customer_fields(customer)
    return {
        "id": customer.id,
        "created_at": customer.created_at,
        "updated_at": customer.updated_at,
        **{name: customer.encrypted.get(name) for name in ENCRYPTED_CUSTOMER_FIELDS},
        **{name: customer.demographics.get(name) for name in PLAIN_CUSTOMER_FIELDS},
    }


def _customer(row: Row[Any]) -> StoredCustomer:
    values = row._mapping
    return StoredCustomer(
        id=CustomerId(values["id"]),
        created_at=values["created_at"],
        updated_at=values["updated_at"],
        encrypted={
            name: values[name] for name in ENCRYPTED_CUSTOMER_FIELDS if values[name] is not None
        },
        demographics={
            name: values[name] for name in PLAIN_CUSTOMER_FIELDS if values[name] is not None
        },
    )


class SqlCustomerRepository:
    """Customer profiles (ciphertext and demographics) and their blind indexes."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def get_many(self, ids: Sequence[CustomerId]) -> dict[CustomerId, StoredCustomer]:
        found: dict[CustomerId, StoredCustomer] = {}
        for chunk in chunked(unique(ids)):
            rows = self._connection.execute(select(customers).where(customers.c.id.in_(chunk)))
            found.update((customer.id, customer) for customer in map(_customer, rows))
        return found

    def add(self, customers_: Sequence[StoredCustomer]) -> None:
        write(self._connection, insert(customers), [_customer_row(c) for c in customers_])

    def update(self, customers_: Sequence[StoredCustomer]) -> None:
        """Replace every stored field of each customer; ``created_at`` never changes."""
        rows = []
        for customer in customers_:
            row = _customer_row(customer)
            del row["created_at"]
            row["b_id"] = row.pop("id")
            rows.append(row)
        statement = update(customers).where(customers.c.id == bindparam("b_id"))
        write(self._connection, statement, rows)

    def find_by_blind_index(self, field: str, values: Sequence[bytes]) -> list[CustomerId]:
        found: set[CustomerId] = set()
        for chunk in chunked(unique(values)):
            statement = select(blind_indexes.c.customer_id).where(
                blind_indexes.c.field == field, blind_indexes.c.value.in_(chunk)
            )
            found.update(CustomerId(cid) for cid in self._connection.scalars(statement))
        return sorted(found)

    def replace_blind_indexes(self, entries: Sequence[BlindIndexEntry]) -> None:
        latest = {(e.customer_id, e.field, e.key_version): e for e in entries}
        keys = [
            {"b_customer_id": cid, "b_field": field, "b_key_version": version}
            for cid, field, version in latest
        ]
        statement = delete(blind_indexes).where(
            blind_indexes.c.customer_id == bindparam("b_customer_id"),
            blind_indexes.c.field == bindparam("b_field"),
            blind_indexes.c.key_version == bindparam("b_key_version"),
        )
        write(self._connection, statement, keys)
        rows = [
            {
                "customer_id": e.customer_id,
                "field": e.field,
                "key_version": e.key_version,
                "value": e.value,
            }
            for e in latest.values()
        ]
        write(self._connection, insert(blind_indexes), rows)

    def count(self) -> int:
        return self._connection.scalar(select(func.count()).select_from(customers)) or 0

    def missing_blind_index(
        self, field: str, key_version: int, *, limit: int, start: CustomerId | None = None
    ) -> list[CustomerId]:
        check_encrypted_field(field)
        check_limit(limit)
        indexed = select(blind_indexes.c.customer_id).where(
            blind_indexes.c.customer_id == customers.c.id,
            blind_indexes.c.field == field,
            blind_indexes.c.key_version == key_version,
        )
        # An erased customer (no data key) can never be indexed again: not "missing".
        keyed = select(subject_keys.c.customer_id).where(
            subject_keys.c.customer_id == customers.c.id
        )
        statement = (
            select(customers.c.id)
            .where(customers.c[field].is_not(None), ~indexed.exists(), keyed.exists())
            .where(customers.c.id >= (start or ""))
            .order_by(customers.c.id)
            .limit(limit)
        )
        return [CustomerId(cid) for cid in self._connection.scalars(statement)]

    def count_blind_indexes(self) -> dict[tuple[str, int], int]:
        field, version = blind_indexes.c.field, blind_indexes.c.key_version
        statement = select(field, version, func.count()).group_by(field, version)
        return {(row[0], row[1]): row[2] for row in self._connection.execute(statement)}

    def delete_blind_indexes(self, key_version: int) -> int:
        statement = delete(blind_indexes).where(blind_indexes.c.key_version == key_version)
        return self._connection.execute(statement).rowcount


class SqlSubjectKeyRepository:
    """Each customer's wrapped data key."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def get_many(self, ids: Sequence[CustomerId]) -> dict[CustomerId, SubjectKey]:
        found: dict[CustomerId, SubjectKey] = {}
        for chunk in chunked(unique(ids)):
            statement = select(
                subject_keys.c.customer_id, subject_keys.c.wrapped, subject_keys.c.kek_version
            ).where(subject_keys.c.customer_id.in_(chunk))
            for row in self._connection.execute(statement):
                key = SubjectKey(CustomerId(row.customer_id), row.wrapped, row.kek_version)
                found[key.customer_id] = key
        return found

    def add(self, keys: Sequence[SubjectKey]) -> None:
        rows = [
            {"customer_id": k.customer_id, "wrapped": k.wrapped, "kek_version": k.kek_version}
            for k in keys
        ]
        write(self._connection, insert(subject_keys), rows)

    def not_wrapped_by(
        self, kek_version: int, *, limit: int, start: CustomerId | None = None
    ) -> list[SubjectKey]:
        check_limit(limit)
        statement = (
            select(subject_keys.c.customer_id, subject_keys.c.wrapped, subject_keys.c.kek_version)
            .where(subject_keys.c.kek_version != kek_version)
            .where(subject_keys.c.customer_id >= (start or ""))
            .order_by(subject_keys.c.customer_id)
            .limit(limit)
        )
        return [
            SubjectKey(CustomerId(row.customer_id), row.wrapped, row.kek_version)
            for row in self._connection.execute(statement)
        ]

    def rewrap(self, keys: Sequence[SubjectKey]) -> None:
        """Replace each stored key's wrapped form and KEK version; unknown customers are skipped."""
        rows = [
            {"b_customer_id": k.customer_id, "wrapped": k.wrapped, "kek_version": k.kek_version}
            for k in keys
        ]
        statement = update(subject_keys).where(
            subject_keys.c.customer_id == bindparam("b_customer_id")
        )
        write(self._connection, statement, rows)

    def count_by_kek_version(self) -> dict[int, int]:
        version = subject_keys.c.kek_version
        statement = select(version, func.count()).group_by(version)
        return {row[0]: row[1] for row in self._connection.execute(statement)}


def _identifier(row: Row[Any]) -> Identifier:
    return Identifier(
        customer_id=CustomerId(row.customer_id),
        kind=IdentifierKind(row.kind),
        key_version=row.key_version,
        lookup=row.lookup,
        ciphertext=row.ciphertext,
        created_at=row.created_at,
    )


class SqlIdentifierRepository:
    """Identifiers (user id, anonymous id, email) found by their blind-index lookup value."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def resolve(self, kind: IdentifierKind, lookups: Sequence[bytes]) -> dict[bytes, CustomerId]:
        found: dict[bytes, CustomerId] = {}
        for chunk in chunked(unique(lookups)):
            statement = select(identifiers.c.lookup, identifiers.c.customer_id).where(
                identifiers.c.kind == kind.value, identifiers.c.lookup.in_(chunk)
            )
            for row in self._connection.execute(statement):
                found[bytes(row.lookup)] = CustomerId(row.customer_id)
        return found

    def for_customer(self, customer_id: CustomerId) -> list[Identifier]:
        statement = (
            select(identifiers)
            .where(identifiers.c.customer_id == customer_id)
            .order_by(identifiers.c.id)
        )
        return [_identifier(row) for row in self._connection.execute(statement)]

    def add(self, identifiers_: Sequence[Identifier]) -> None:
        rows = [
            {
                "customer_id": i.customer_id,
                "kind": i.kind.value,
                "key_version": i.key_version,
                "lookup": i.lookup,
                "ciphertext": i.ciphertext,
                "created_at": i.created_at,
            }
            for i in identifiers_
        ]
        write(self._connection, insert(identifiers), rows)

    def count_by_kind(
        self, customer_ids: Sequence[CustomerId]
    ) -> dict[CustomerId, dict[IdentifierKind, int]]:
        counts: dict[CustomerId, dict[IdentifierKind, int]] = {}
        for chunk in chunked(unique(customer_ids)):
            # One row per identifier: rows of other blind-index versions share its ciphertext.
            distinct = (
                select(identifiers.c.customer_id, identifiers.c.kind, identifiers.c.ciphertext)
                .where(identifiers.c.customer_id.in_(chunk))
                .distinct()
                .subquery()
            )
            statement = select(distinct.c.customer_id, distinct.c.kind, func.count()).group_by(
                distinct.c.customer_id, distinct.c.kind
            )
            for row in self._connection.execute(statement):
                mine = counts.setdefault(CustomerId(row[0]), {})
                mine[IdentifierKind(row[1])] = row[2]
        return counts

    def missing_version(
        self, key_version: int, *, limit: int, start: CustomerId | None = None
    ) -> list[Identifier]:
        """The newest row of each (customer, kind, ciphertext) with no row of ``key_version``."""
        check_limit(limit)
        other = identifiers.alias("other")
        same_identifier = (
            other.c.customer_id == identifiers.c.customer_id,
            other.c.kind == identifiers.c.kind,
            other.c.ciphertext == identifiers.c.ciphertext,
        )
        has_version = select(other.c.id).where(*same_identifier, other.c.key_version == key_version)
        has_newer = select(other.c.id).where(
            *same_identifier, other.c.key_version > identifiers.c.key_version
        )
        statement = (
            select(identifiers)
            .where(~has_version.exists(), ~has_newer.exists())
            .where(identifiers.c.customer_id >= (start or ""))
            .order_by(
                identifiers.c.customer_id,
                identifiers.c.kind,
                identifiers.c.ciphertext,
                identifiers.c.lookup,
            )
            .limit(limit)
        )
        return [_identifier(row) for row in self._connection.execute(statement)]

    def count_by_version(self) -> dict[int, int]:
        version = identifiers.c.key_version
        statement = select(version, func.count()).group_by(version)
        return {row[0]: row[1] for row in self._connection.execute(statement)}

    def delete_version(self, key_version: int) -> int:
        statement = delete(identifiers).where(identifiers.c.key_version == key_version)
        return self._connection.execute(statement).rowcount
