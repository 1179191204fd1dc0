"""In-memory fake of the card vault repository."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from strongroom.adapters.memory.store import Staging, as_utc, check_new
from strongroom.core.models import CustomerId, StoredCard


class MemoryCardVaultRepository:
    """Fake of CardVaultRepository: unique tokens, and one card per (fingerprint, customer)."""

    def __init__(self, staging: Staging) -> None:
        self._staging = staging

    def add(self, cards: Sequence[StoredCard]) -> None:
        stored = self._staging.store.cards
        check_new(stored, (c.token for c in cards), "card token")
        # As in SQL, cards of no customer never clash: NULLs are distinct in a unique constraint.
        taken = {(c.fingerprint, c.customer_id) for c in stored.values() if c.customer_id}
        owned = ((c.fingerprint, c.customer_id) for c in cards if c.customer_id)
        check_new(taken, owned, "card fingerprint")
        stored.update((c.token, as_utc(c)) for c in cards)

    def get(self, token: str) -> StoredCard | None:
        return self._staging.store.cards.get(token)

    def find_by_fingerprint(
        self, customer_id: CustomerId | None, fingerprints: Sequence[bytes]
    ) -> StoredCard | None:
        wanted = set(fingerprints)
        found = [
            c
            for c in self._staging.store.cards.values()
            if c.customer_id == customer_id and c.fingerprint in wanted
        ]
        return min(found, key=lambda c: (c.created_at, c.token), default=None)

    def count_by_key_version(self) -> dict[int, int]:
        return dict(Counter(c.key_version for c in self._staging.store.cards.values()))
