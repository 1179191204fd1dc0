"""Erasure by crypto-shredding, as stored: what was destroyed, and the record that stays."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from strongroom.core.models import SubjectKey


@dataclass(frozen=True, slots=True)
class ShreddedData:
    """What destroying one customer's keys and lookups removed from the store."""

    subject_keys: tuple[SubjectKey, ...]  # the wrapped data keys, now gone
    identifiers: int  # identifier rows (blind-index lookup and ciphertext) deleted
    blind_indexes: int  # searchable-field index rows deleted
    cards: int  # card numbers in the card vault: sealed under the shared token key, so deleted


@dataclass(frozen=True, slots=True)
class Erasure:
    """The lasting record of an erased customer, under their pseudonym, never their id.

    ``receipt`` is the signed receipt, canonical JSON, exactly as handed to the requester.
    """

    pseudonym: str
    erased_at: datetime
    actor: str
    key_versions: dict[str, int]
    receipt: str
    recorded_at: datetime
