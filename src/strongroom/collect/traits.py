"""Writing classified traits onto profiles: PII encrypted under the customer's key, indexed."""

from __future__ import annotations

from datetime import datetime

from strongroom.collect.classification import ClassifiedTraits
from strongroom.collect.identity import IdentityResolver
from strongroom.core.models import BlindIndexEntry, CustomerId, JsonValue, StoredCustomer
from strongroom.core.ports import UnitOfWork
from strongroom.core.schema import EXTRA_TRAITS_FIELD, FIELDS_BY_NAME, DataClass
from strongroom.vault.service import SubjectVault


class TraitWriter:
    """Collects trait changes for a batch and writes them once."""

    def __init__(
        self, uow: UnitOfWork, vault: SubjectVault, resolver: IdentityResolver, now: datetime
    ) -> None:
        self._uow, self._vault, self._resolver, self._now = uow, vault, resolver, now
        self._changed: dict[CustomerId, StoredCustomer] = {}
        self._indexes: list[BlindIndexEntry] = []

    def preload(self, customer_ids: list[CustomerId]) -> None:
        """Read the existing profiles the batch will change, in one query."""
        wanted = [cid for cid in set(customer_ids) if cid not in self._resolver.new_customers]
        self._changed.update(self._uow.customers.get_many(wanted))

    def apply(self, customer_id: CustomerId, traits: ClassifiedTraits) -> set[DataClass]:
        """Merge ``traits`` into the profile; return the data classes touched."""
        profile = self._profile(customer_id)
        key = self._resolver.subject_key(customer_id)
        for name, value in traits.encrypted.items():
            profile.encrypted[name] = self._vault.encrypt(
                key, customer_id=customer_id, field=name, value=value
            )
            if FIELDS_BY_NAME[name].searchable and isinstance(value, str):
                version, lookup = self._vault.search_index(name, value)
                self._indexes.append(BlindIndexEntry(customer_id, name, version, lookup))
        profile.demographics.update(traits.plain)
        if traits.extras:
            extras = {**self._extras(profile, key), **traits.extras}
            profile.encrypted[EXTRA_TRAITS_FIELD] = self._vault.encrypt(
                key, customer_id=customer_id, field=EXTRA_TRAITS_FIELD, value=extras
            )
        profile.updated_at = self._now
        return traits.data_classes

    def flush(self) -> None:
        """Write the changed profiles of customers that already existed, and the indexes."""
        existing = [
            p for cid, p in self._changed.items() if cid not in self._resolver.new_customers
        ]
        self._uow.customers.update(existing)
        self._uow.customers.replace_blind_indexes(self._indexes)

    def _profile(self, customer_id: CustomerId) -> StoredCustomer:
        if customer_id not in self._changed:
            new = self._resolver.new_customers.get(customer_id)
            stored = new or self._uow.customers.get_many([customer_id])[customer_id]
            self._changed[customer_id] = stored
        return self._changed[customer_id]

    def _extras(self, profile: StoredCustomer, key: bytes) -> dict[str, JsonValue]:
        ciphertext = profile.encrypted.get(EXTRA_TRAITS_FIELD)
        if ciphertext is None:
            return {}
        value = self._vault.decrypt(
            key, customer_id=profile.id, field=EXTRA_TRAITS_FIELD, ciphertext=ciphertext
        )
        return value if isinstance(value, dict) else {}
