"""In-memory fakes of the data-subject rights repositories: requests and legal holds."""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from strongroom.adapters.memory.store import Staging, as_utc, check_new
from strongroom.adapters.paging import check_limit
from strongroom.core.errors import ConflictError, NotFoundError
from strongroom.core.models import CustomerId
from strongroom.core.privacy import DataSubjectRequest, LegalHold


class MemoryDataSubjectRequestRepository:
    """Fake of DataSubjectRequestRepository (the foreign key to customers is not checked)."""

    def __init__(self, staging: Staging) -> None:
        self._staging = staging

    def add(self, request: DataSubjectRequest) -> None:
        stored = self._staging.store.privacy_requests
        check_new(stored, [request.id], "data-subject request id")
        stored[request.id] = as_utc(request)

    def update(self, request: DataSubjectRequest) -> None:
        stored = self._staging.store.privacy_requests
        if request.id not in stored:
            raise NotFoundError(f"no data-subject request with id {request.id!r}")
        stored[request.id] = as_utc(request)

    def get(self, request_id: str) -> DataSubjectRequest | None:
        return self._staging.store.privacy_requests.get(request_id)

    def list(self, *, open_only: bool, limit: int) -> builtins.list[DataSubjectRequest]:
        check_limit(limit)
        requests = [
            r
            for r in self._staging.store.privacy_requests.values()
            if r.status.is_open or not open_only
        ]
        return sorted(requests, key=lambda r: (r.due_at, r.id))[:limit]

    def for_customer(self, customer_id: CustomerId) -> builtins.list[DataSubjectRequest]:
        requests = self._staging.store.privacy_requests.values()
        mine = [r for r in requests if r.customer_id == customer_id]
        return sorted(mine, key=lambda r: (r.received_at, r.id))


class MemoryLegalHoldRepository:
    """Fake of LegalHoldRepository (the foreign key to customers is not checked)."""

    def __init__(self, staging: Staging) -> None:
        self._staging = staging

    def add(self, hold: LegalHold) -> None:
        stored = self._staging.store.legal_holds
        check_new(stored, [hold.id], "legal hold id")
        stored[hold.id] = as_utc(hold)

    def release(self, hold_id: str, *, released_by: str, released_at: datetime) -> LegalHold:
        stored = self._staging.store.legal_holds
        hold = stored.get(hold_id)
        if hold is None:
            raise NotFoundError(f"no legal hold with id {hold_id!r}")
        if not hold.active:
            raise ConflictError(f"legal hold {hold_id!r} was already released")
        stored[hold_id] = as_utc(replace(hold, released_by=released_by, released_at=released_at))
        return stored[hold_id]

    def active_for(self, customer_ids: Sequence[CustomerId]) -> builtins.list[LegalHold]:
        wanted = set(customer_ids)
        holds = self._staging.store.legal_holds.values()
        found = [h for h in holds if h.customer_id in wanted and h.active]
        return sorted(found, key=lambda h: (h.placed_at, h.id))

    def list(self, *, active_only: bool) -> builtins.list[LegalHold]:
        holds = [h for h in self._staging.store.legal_holds.values() if h.active or not active_only]
        return sorted(holds, key=lambda h: (h.placed_at, h.id))
