"""SQL repository for the card vault: tokenised card numbers, kept only as ciphertext."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.engine import Connection, Row

from strongroom.adapters.sql._support import chunked, unique, write
from strongroom.adapters.sql.tables import card_vault
from strongroom.core.models import CustomerId, StoredCard


def _card(row: Row[Any]) -> StoredCard:
    return StoredCard(
        token=row.token,
        ciphertext=bytes(row.ciphertext),
        key_version=row.key_version,
        fingerprint=bytes(row.fingerprint),
        last4=row.last4,
        brand=row.brand,
        created_at=row.created_at,
        customer_id=CustomerId(row.customer_id) if row.customer_id is not None else None,
    )


class SqlCardVaultRepository:
    """Cards by token, one per (fingerprint, customer)."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def add(self, cards: Sequence[StoredCard]) -> None:
        rows = [
            {
                "token": c.token,
                "ciphertext": c.ciphertext,
                "key_version": c.key_version,
                "fingerprint": c.fingerprint,
                "last4": c.last4,
                "brand": c.brand,
                "created_at": c.created_at,
                "customer_id": c.customer_id,
            }
            for c in cards
        ]
        write(self._connection, insert(card_vault), rows)

    def get(self, token: str) -> StoredCard | None:
        row = self._connection.execute(
            select(card_vault).where(card_vault.c.token == token)
        ).one_or_none()
        return _card(row) if row is not None else None

    def find_by_fingerprint(
        self, customer_id: CustomerId | None, fingerprints: Sequence[bytes]
    ) -> StoredCard | None:
        owner = (
            card_vault.c.customer_id.is_(None)
            if customer_id is None
            else card_vault.c.customer_id == customer_id
        )
        found: list[StoredCard] = []
        for chunk in chunked(unique(fingerprints)):
            statement = select(card_vault).where(owner, card_vault.c.fingerprint.in_(chunk))
            found.extend(_card(row) for row in self._connection.execute(statement))
        return min(found, key=lambda c: (c.created_at, c.token), default=None)

    def count_by_key_version(self) -> dict[int, int]:
        statement = select(card_vault.c.key_version, func.count()).group_by(
            card_vault.c.key_version
        )
        return {row[0]: row[1] for row in self._connection.execute(statement)}
