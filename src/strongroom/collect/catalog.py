"""The field catalog at ingest and for reading: counts per field per batch, safe field names.

A key the declared schema does not know may itself be personal data (a client that sends
``{"ann@example.org": true}``). Such a key (one that is not a plain identifier, or in which a
detector finds PII) is never stored in the catalog: its row is named ``key#`` and the first 16
hex digits of its keyed hash (HMAC-SHA256 under the current blind-index key), so repeats of
the same key still count together, and nothing about the key can be read from the catalog.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import datetime

from strongroom.collect.classification import SeenField
from strongroom.core.catalog import (
    CatalogEntry,
    FieldCount,
    FieldKey,
    FieldProtection,
    FieldScope,
    FieldStorage,
)
from strongroom.core.ports import UnitOfWorkFactory
from strongroom.core.schema import DataClass
from strongroom.vault.service import SubjectVault

HASHED_KEY_PREFIX = "key#"
_HASH_HEX_DIGITS = 16
_HASH_FIELD = "catalog-key"
CARD_FIELD = FieldKey(
    FieldScope.PROPERTY,
    "card_number",
    DataClass.PAYMENT,
    FieldProtection.TOKENIZED,
    FieldStorage.CARD_VAULT,
)


def hashed_key_name(vault: SubjectVault, key: str) -> str:
    """The catalog name of a key that must not be stored: its keyed hash, shortened."""
    _, digest = vault.index_value(_HASH_FIELD, key)
    return f"{HASHED_KEY_PREFIX}{digest.hex()[:_HASH_HEX_DIGITS]}"


class FieldTally:
    """Counts the records holding each field in one batch; written with one upsert."""

    def __init__(self, vault: SubjectVault, seen_at: datetime) -> None:
        self._vault, self._seen_at = vault, seen_at
        self._records: Counter[FieldKey] = Counter()
        self._names: dict[str, str] = {}

    def add(self, fields: Iterable[SeenField]) -> None:
        """Count one record's fields (each field once per record)."""
        self._records.update({self._safe(seen) for seen in fields})

    def add_key(self, key: FieldKey, records: int = 1) -> None:
        self._records[key] += records

    def counts(self) -> list[FieldCount]:
        return [FieldCount(key, n, self._seen_at) for key, n in self._records.items()]

    def _safe(self, seen: SeenField) -> FieldKey:
        if seen.name_is_safe:
            return seen.key
        name = seen.key.name
        if name not in self._names:
            self._names[name] = hashed_key_name(self._vault, name)
        key = seen.key
        return FieldKey(key.scope, self._names[name], key.data_class, key.protection, key.storage)


def read_catalog(uow_factory: UnitOfWorkFactory) -> list[CatalogEntry]:
    """Every field in the catalog (names only: the catalog holds no values)."""
    with uow_factory() as uow:
        return uow.field_catalog.entries()
