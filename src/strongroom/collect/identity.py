"""Identity resolution, minimum version: userId, email and anonymousId map to one customer.

userId and anonymousId are identifiers with exact keyed lookups. An email is found through the
shortened blind index of the profile's email field and confirmed by decryption, so the stored
index alone never singles a person out. An anonymous visitor who later identifies keeps one
profile: the new identifiers join the profile that already holds the others. Merging two existing
profiles is not done here.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime

from strongroom.collect.segment import SegmentMessage
from strongroom.core.models import (
    CustomerId,
    Identifier,
    IdentifierKind,
    StoredCustomer,
    SubjectKey,
)
from strongroom.core.ports import UnitOfWork
from strongroom.vault.blindindex import normalise_email, normalise_identifier
from strongroom.vault.search import match_customers
from strongroom.vault.service import SubjectVault

IdentityKey = tuple[IdentifierKind, str]


def identity_keys(message: SegmentMessage) -> list[IdentityKey]:
    """The identifiers a message carries, userId first, normalised."""
    keys: list[IdentityKey] = []
    for kind, value in (
        (IdentifierKind.USER_ID, message.user_key),
        (IdentifierKind.ANONYMOUS_ID, message.anonymous_key),
    ):
        if value:
            keys.append((kind, normalise_identifier(kind.value, value)))
    return keys


def email_of(message: SegmentMessage) -> str | None:
    """The normalised email an identify call carries, if any."""
    email = message.traits.get("email") if message.type == "identify" else None
    return normalise_email(email) if isinstance(email, str) and "@" in email else None


class IdentityResolver:
    """Resolves the messages of one batch inside its unit of work."""

    def __init__(self, uow: UnitOfWork, vault: SubjectVault, now: datetime) -> None:
        self._uow, self._vault, self._now = uow, vault, now
        self._known: dict[IdentityKey, CustomerId] = {}
        self._emails: dict[str, CustomerId] = {}
        self._keys: dict[CustomerId, bytes] = {}
        self.new_customers: dict[CustomerId, StoredCustomer] = {}
        self.new_subject_keys: list[SubjectKey] = []
        self.new_identifiers: list[Identifier] = []

    def preload(self, messages: Sequence[SegmentMessage]) -> None:
        """Look every identifier and email of the batch up at once."""
        self._preload_identifiers(key for m in messages for key in identity_keys(m))
        emails = {email for m in messages if (email := email_of(m))}
        for email, owners in match_customers(self._uow, self._vault, "email", emails).items():
            if len(owners) == 1:  # two profiles with one email: not ours to pick between
                self._emails[email] = owners[0]
        existing = list(set(self._known.values()) | set(self._emails.values()))
        for customer_id, wrapped in self._uow.subject_keys.get_many(existing).items():
            self._keys[customer_id] = self._vault.open_subject_key(wrapped)

    def resolve(self, message: SegmentMessage) -> CustomerId:
        """The customer this message is about, creating one if none is known."""
        keys, email = identity_keys(message), email_of(message)
        user_keys = [key for key in keys if key[0] is IdentifierKind.USER_ID]
        other_keys = [key for key in keys if key[0] is not IdentifierKind.USER_ID]
        customer_id = next((self._known[k] for k in user_keys if k in self._known), None)
        if customer_id is None and email is not None:
            customer_id = self._emails.get(email)
        if customer_id is None:
            customer_id = next((self._known[k] for k in other_keys if k in self._known), None)
        if customer_id is None:
            customer_id = self._create_customer()
        for key in keys:
            if key not in self._known:
                self._add_identifier(customer_id, key)
        if email is not None:
            self._emails.setdefault(email, customer_id)
        return customer_id

    def subject_key(self, customer_id: CustomerId) -> bytes:
        return self._keys[customer_id]

    def _preload_identifiers(self, keys: Iterable[IdentityKey]) -> None:
        by_kind: dict[IdentifierKind, dict[bytes, IdentityKey]] = {}
        for key in set(keys):
            kind, value = key
            for _, lookup in self._vault.lookup_values(kind.value, value):
                by_kind.setdefault(kind, {})[lookup] = key
        for kind, lookups in by_kind.items():
            for lookup, customer_id in self._uow.identifiers.resolve(kind, list(lookups)).items():
                self._known[lookups[lookup]] = customer_id

    def _create_customer(self) -> CustomerId:
        customer_id = CustomerId(str(uuid.uuid4()))
        plain, wrapped = self._vault.new_subject_key(customer_id)
        self._keys[customer_id] = plain
        self.new_subject_keys.append(wrapped)
        self.new_customers[customer_id] = StoredCustomer(customer_id, self._now, self._now)
        return customer_id

    def _add_identifier(self, customer_id: CustomerId, key: IdentityKey) -> None:
        kind, value = key
        version, lookup = self._vault.index_value(kind.value, value)
        ciphertext = self._vault.encrypt(
            self._keys[customer_id],
            customer_id=customer_id,
            field=f"identifier:{kind.value}",
            value=value,
        )
        self.new_identifiers.append(
            Identifier(customer_id, kind, version, lookup, ciphertext, self._now)
        )
        self._known[key] = customer_id
