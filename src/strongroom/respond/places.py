"""Where touched customers live, for the counts notice rules need: country and US state.

The address is PII, encrypted under each customer's key. It is decrypted here only, for the
purpose ``incident_response``, to count; no address, country or state of one customer leaves
this module, and the blast radius records that it read them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from strongroom.core.errors import DecryptionError
from strongroom.core.models import CustomerId, JsonValue
from strongroom.core.ports import UnitOfWork
from strongroom.vault.service import SubjectVault

UNKNOWN = "unknown"
_COUNTRY_KEYS = ("country", "countryCode", "country_code")
_STATE_KEYS = ("state", "region", "province")
_US_NAMES = frozenset({"us", "usa", "united states", "united states of america"})


@dataclass(frozen=True, slots=True)
class Place:
    country: str  # ISO code or name as sent, upper-cased; "unknown" if not known
    us_state: str | None  # the state code for US residents, else None


class PlaceReader(Protocol):
    def places(self, uow: UnitOfWork, ids: Sequence[CustomerId]) -> dict[CustomerId, Place]:
        """The place of each customer; customers without a readable address are unknown."""
        ...


def place_of(address: JsonValue) -> Place:
    """Country and US state from an address object; a plain string tells neither."""
    if not isinstance(address, dict):
        return Place(UNKNOWN, None)
    country = next((str(address[k]) for k in _COUNTRY_KEYS if address.get(k)), "")
    state = next((str(address[k]) for k in _STATE_KEYS if address.get(k)), "")
    if not country:
        return Place(UNKNOWN, None)
    if country.strip().lower() in _US_NAMES:
        return Place("US", state.strip().upper() or UNKNOWN)
    return Place(country.strip().upper(), None)


class VaultPlaceReader:
    """Decrypts each customer's address under their own key, in the caller's transaction."""

    def __init__(self, vault: SubjectVault) -> None:
        self._vault = vault

    def places(self, uow: UnitOfWork, ids: Sequence[CustomerId]) -> dict[CustomerId, Place]:
        found: dict[CustomerId, Place] = {}
        customers = uow.customers.get_many(ids)
        keys = uow.subject_keys.get_many(list(customers))
        for customer_id in ids:
            stored, key = customers.get(customer_id), keys.get(customer_id)
            ciphertext = stored.encrypted.get("address") if stored is not None else None
            if ciphertext is None or key is None:  # no address, or erased
                found[customer_id] = Place(UNKNOWN, None)
                continue
            try:
                subject_key = self._vault.open_subject_key(key)
                address = self._vault.decrypt(
                    subject_key, customer_id=customer_id, field="address", ciphertext=ciphertext
                )
            except DecryptionError:
                found[customer_id] = Place(UNKNOWN, None)
                continue
            found[customer_id] = place_of(address)
        return found
