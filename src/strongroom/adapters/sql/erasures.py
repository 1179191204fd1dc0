"""SQL repository for crypto-shredding and the record of erasures."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Table, delete, insert, select
from sqlalchemy.engine import Connection, Row

from strongroom.adapters.paging import check_limit
from strongroom.adapters.sql._support import chunked, unique, write
from strongroom.adapters.sql.tables import (
    blind_indexes,
    card_vault,
    erasures,
    identifiers,
    subject_keys,
)
from strongroom.core.erasures import Erasure, ShreddedData
from strongroom.core.models import CustomerId, SubjectKey


def _erasure(row: Row[Any]) -> Erasure:
    return Erasure(
        pseudonym=row.pseudonym,
        erased_at=row.erased_at,
        actor=row.actor,
        key_versions={str(kind): int(version) for kind, version in row.key_versions.items()},
        receipt=row.receipt,
        recorded_at=row.recorded_at,
    )


class SqlErasureRepository:
    """Deletes a customer's keys and lookups; keeps the record of erasures by pseudonym."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def shred(self, customer_id: CustomerId) -> ShreddedData:
        # The subject key goes first: a concurrent shred of the same customer then finds none.
        destroyed = self._connection.execute(
            delete(subject_keys)
            .where(subject_keys.c.customer_id == customer_id)
            .returning(subject_keys.c.wrapped, subject_keys.c.kek_version)
        ).all()
        return ShreddedData(
            subject_keys=tuple(
                SubjectKey(customer_id, bytes(row.wrapped), row.kek_version) for row in destroyed
            ),
            identifiers=self._delete(identifiers, identifiers.c.customer_id == customer_id),
            blind_indexes=self._delete(blind_indexes, blind_indexes.c.customer_id == customer_id),
            cards=self._delete(card_vault, card_vault.c.customer_id == customer_id),
        )

    def shred_many(self, customer_ids: Sequence[CustomerId]) -> dict[CustomerId, ShreddedData]:
        keys: dict[CustomerId, list[SubjectKey]] = {cid: [] for cid in customer_ids}
        counts: dict[str, Counter[str]] = {}
        for chunk in chunked(unique(customer_ids)):
            destroyed = self._connection.execute(
                delete(subject_keys)
                .where(subject_keys.c.customer_id.in_(chunk))
                .returning(
                    subject_keys.c.customer_id, subject_keys.c.wrapped, subject_keys.c.kek_version
                )
            )
            for row in destroyed:
                cid = CustomerId(row.customer_id)
                keys[cid].append(SubjectKey(cid, bytes(row.wrapped), row.kek_version))
            for name, table in (
                ("identifiers", identifiers),
                ("blind_indexes", blind_indexes),
                ("cards", card_vault),
            ):
                counts.setdefault(name, Counter()).update(self._delete_owned(table, chunk))
        return {
            cid: ShreddedData(
                subject_keys=tuple(keys[cid]),
                identifiers=counts["identifiers"][cid],
                blind_indexes=counts["blind_indexes"][cid],
                cards=counts["cards"][cid],
            )
            for cid in customer_ids
        }

    def _delete_owned(self, table: Table, chunk: Sequence[CustomerId]) -> Counter[str]:
        statement = delete(table).where(table.c.customer_id.in_(chunk))
        return Counter(self._connection.scalars(statement.returning(table.c.customer_id)))

    def add(self, erasure: Erasure) -> None:
        self.add_many([erasure])

    def add_many(self, erasures_: Sequence[Erasure]) -> None:
        rows = [
            {
                "pseudonym": erasure.pseudonym,
                "erased_at": erasure.erased_at,
                "actor": erasure.actor,
                "key_versions": dict(erasure.key_versions),
                "receipt": erasure.receipt,
                "recorded_at": erasure.recorded_at,
            }
            for erasure in erasures_
        ]
        write(self._connection, insert(erasures), rows)

    def find(self, pseudonyms: Sequence[str]) -> list[Erasure]:
        found: list[Erasure] = []
        for chunk in chunked(unique(pseudonyms)):
            statement = select(erasures).where(erasures.c.pseudonym.in_(chunk))
            found.extend(_erasure(row) for row in self._connection.execute(statement))
        return sorted(found, key=lambda erasure: erasure.pseudonym)

    def keyed_customers(self, *, after: CustomerId | None, limit: int) -> list[CustomerId]:
        check_limit(limit)
        statement = select(subject_keys.c.customer_id).order_by(subject_keys.c.customer_id)
        if after is not None:
            statement = statement.where(subject_keys.c.customer_id > after)
        return [CustomerId(cid) for cid in self._connection.scalars(statement.limit(limit))]

    def _delete(self, table: Table, condition: ColumnElement[bool]) -> int:
        return self._connection.execute(delete(table).where(condition)).rowcount
