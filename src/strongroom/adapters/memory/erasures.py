"""In-memory fake of the erasure repository."""

from __future__ import annotations

from collections.abc import Sequence
from copy import deepcopy

from strongroom.adapters.memory.store import Staging, as_utc, check_new
from strongroom.adapters.paging import check_limit
from strongroom.core.erasures import Erasure, ShreddedData
from strongroom.core.models import CustomerId


class MemoryErasureRepository:
    """Fake of ErasureRepository."""

    def __init__(self, staging: Staging) -> None:
        self._staging = staging

    def shred(self, customer_id: CustomerId) -> ShreddedData:
        store = self._staging.store
        key = store.subject_keys.pop(customer_id, None)
        identifiers = [k for k, i in store.identifiers.items() if i.customer_id == customer_id]
        indexes = [k for k in store.blind_indexes if k[0] == customer_id]
        cards = [token for token, c in store.cards.items() if c.customer_id == customer_id]
        for identifier in identifiers:
            del store.identifiers[identifier]
        for index in indexes:
            del store.blind_indexes[index]
        for token in cards:
            del store.cards[token]
        return ShreddedData(
            subject_keys=(key,) if key is not None else (),
            identifiers=len(identifiers),
            blind_indexes=len(indexes),
            cards=len(cards),
        )

    def shred_many(self, customer_ids: Sequence[CustomerId]) -> dict[CustomerId, ShreddedData]:
        return {customer_id: self.shred(customer_id) for customer_id in customer_ids}

    def add_many(self, erasures: Sequence[Erasure]) -> None:
        for erasure in erasures:
            self.add(erasure)

    def add(self, erasure: Erasure) -> None:
        stored = self._staging.store.erasures
        check_new(stored, [erasure.pseudonym], "erasure pseudonym")
        stored[erasure.pseudonym] = as_utc(deepcopy(erasure))

    def find(self, pseudonyms: Sequence[str]) -> list[Erasure]:
        stored = self._staging.store.erasures
        return [deepcopy(stored[p]) for p in sorted(set(pseudonyms)) if p in stored]

    def keyed_customers(self, *, after: CustomerId | None, limit: int) -> list[CustomerId]:
        check_limit(limit)
        keyed = sorted(self._staging.store.subject_keys)
        return [cid for cid in keyed if after is None or cid > after][:limit]
