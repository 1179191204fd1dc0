"""The field catalog: every field seen at ingest, how it is classified, kept and stored.

One row per (scope, field, data class, storage): a field sent sometimes as a plain token and
sometimes holding an e-mail address shows twice, once per class. Counts are added per batch.
A field name that could itself be personal data is never stored: see ``collect.catalog``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from strongroom.core.schema import DataClass


class FieldScope(StrEnum):
    """Where in a tracking call a field comes from."""

    TRAIT = "trait"
    PROPERTY = "property"
    CONTEXT = "context"


class FieldProtection(StrEnum):
    """How a field's values are kept at rest."""

    ENCRYPTED = "encrypted"  # under the customer's own key
    PLAIN = "plain"
    TOKENIZED = "tokenized"  # card numbers: in the card vault, a token elsewhere
    SEALED_UNCLASSIFIED = "sealed-unclassified"  # could not be classified: sealed as if PII


class FieldStorage(StrEnum):
    """Where a field's values are stored."""

    CUSTOMER_COLUMN = "customers column"
    CUSTOMER_EXTRAS = "customer extras"
    EVENT_PROPERTIES = "events.properties"
    EVENT_CONTEXT = "events.context"
    EVENT_SEALED = "events.sealed"
    CARD_VAULT = "card vault"


@dataclass(frozen=True, slots=True)
class FieldKey:
    """What a catalog row is about."""

    scope: FieldScope
    name: str
    data_class: DataClass
    protection: FieldProtection
    storage: FieldStorage


@dataclass(frozen=True, slots=True)
class FieldCount:
    """How many records of one batch held the field, and when the batch was received."""

    key: FieldKey
    records: int
    seen_at: datetime


@dataclass(frozen=True, slots=True)
class CatalogEntry:
    """One field as the catalog holds it."""

    key: FieldKey
    records: int
    first_seen: datetime
    last_seen: datetime


class FieldCatalogRepository(Protocol):
    """The field catalog, kept up to date at ingest with one upsert per batch."""

    def record(self, counts: Sequence[FieldCount]) -> None:
        """Add each count to its field's row (made if new); last seen becomes the later time."""
        ...

    def entries(self) -> list[CatalogEntry]:
        """Every row, ordered by scope, name, data class and storage."""
        ...
