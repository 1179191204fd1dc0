"""In-memory fakes of the intake repositories: documents and the quarantine."""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from datetime import datetime

from strongroom.adapters.memory.store import Staging, as_utc, check_new
from strongroom.adapters.paging import check_limit
from strongroom.core.clock import ensure_utc
from strongroom.core.errors import NotFoundError
from strongroom.core.intake import QuarantinedFile, StoredDocument
from strongroom.core.models import CustomerId


class MemoryDocumentRepository:
    """Fake of DocumentRepository (the foreign key to customers is not checked)."""

    def __init__(self, staging: Staging) -> None:
        self._staging = staging

    def add(self, documents: Sequence[StoredDocument]) -> None:
        stored = self._staging.store.documents
        check_new(stored, (d.id for d in documents), "document id")
        stored.update((d.id, as_utc(d)) for d in documents)

    def get(self, document_id: str) -> StoredDocument | None:
        return self._staging.store.documents.get(document_id)

    def for_customer(self, customer_id: CustomerId) -> builtins.list[StoredDocument]:
        found = [d for d in self._staging.store.documents.values() if d.customer_id == customer_id]
        return sorted(found, key=lambda d: (d.stored_at, d.id))


class MemoryQuarantineRepository:
    """Fake of QuarantineRepository."""

    def __init__(self, staging: Staging) -> None:
        self._staging = staging

    def add(self, items: Sequence[QuarantinedFile]) -> None:
        stored = self._staging.store.quarantine
        check_new(stored, (i.id for i in items), "quarantine id")
        stored.update((i.id, as_utc(i)) for i in items)

    def get(self, item_id: str) -> QuarantinedFile | None:
        return self._staging.store.quarantine.get(item_id)

    def update(self, item: QuarantinedFile) -> None:
        stored = self._staging.store.quarantine
        if item.id not in stored:
            raise NotFoundError(f"no quarantined file with id {item.id!r}")
        stored[item.id] = as_utc(item)

    def list(self, *, limit: int = 100) -> builtins.list[QuarantinedFile]:
        check_limit(limit)
        items = sorted(self._staging.store.quarantine.values(), key=lambda i: i.id)
        items.sort(key=lambda i: i.quarantined_at, reverse=True)
        return items[:limit]

    def quarantined_before(self, when: datetime) -> builtins.list[QuarantinedFile]:
        cutoff = ensure_utc(when)
        items = [i for i in self._staging.store.quarantine.values() if i.quarantined_at < cutoff]
        return sorted(items, key=lambda i: (i.quarantined_at, i.id))

    def delete(self, item_ids: Sequence[str]) -> int:
        stored = self._staging.store.quarantine
        return sum(stored.pop(item_id, None) is not None for item_id in set(item_ids))
