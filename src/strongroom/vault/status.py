"""What each key version protects: the figures `strongroom keys status` shows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from strongroom.core.ports import UnitOfWorkFactory
from strongroom.vault.keyring import KeyKind


@dataclass(frozen=True, slots=True)
class KeyVersionStatus:
    kind: str
    version: int
    created_at: datetime
    retired_at: datetime | None
    current: bool
    index_bits: int | None
    records: int | None  # None where Strongroom cannot count what the version protects


def key_status(*, uow_factory: UnitOfWorkFactory) -> list[KeyVersionStatus]:
    """Every key version with how many records it still protects, by kind then version."""
    with uow_factory() as uow:
        stored = uow.data_keys.all()
        wrapped_by = uow.subject_keys.count_by_kek_version()
        cards = uow.cards.count_by_key_version()
        indexes = uow.customers.count_blind_indexes()
        identifiers = uow.identifiers.count_by_version()
    current = {
        key.kind: max(k.version for k in stored if k.kind == key.kind and k.retired_at is None)
        for key in stored
        if key.retired_at is None
    }
    statuses = []
    for key in stored:
        records: int | None = None
        if key.kind == KeyKind.FIELD_KEK.value:
            records = wrapped_by.get(key.version, 0)
        elif key.kind == KeyKind.TOKEN.value:
            records = cards.get(key.version, 0)
        elif key.kind == KeyKind.BLIND_INDEX.value:
            in_fields = sum(n for (_, version), n in indexes.items() if version == key.version)
            records = in_fields + identifiers.get(key.version, 0)
        statuses.append(
            KeyVersionStatus(
                kind=key.kind,
                version=key.version,
                created_at=key.created_at,
                retired_at=key.retired_at,
                current=current.get(key.kind) == key.version,
                index_bits=key.index_bits,
                records=records,
            )
        )
    return statuses
