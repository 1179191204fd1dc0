"""SQL repositories of data-subject rights: requests and legal holds."""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection, Row

from strongroom.adapters.paging import check_limit
from strongroom.adapters.sql._support import chunked, unique, write
from strongroom.adapters.sql.tables_privacy import legal_holds, privacy_requests
from strongroom.core.errors import ConflictError, NotFoundError
from strongroom.core.models import CustomerId
from strongroom.core.privacy import DataSubjectRequest, LegalHold, RequestKind, RequestStatus


def _request_row(request: DataSubjectRequest) -> dict[str, Any]:
    return {
        "id": request.id,
        "customer_id": request.customer_id,
        "kind": request.kind.value,
        "status": request.status.value,
        "received_at": request.received_at,
        "due_at": request.due_at,
        "opened_by": request.opened_by,
        "verification": request.verification,
        "verified_by": request.verified_by,
        "verified_at": request.verified_at,
        "closed_at": request.closed_at,
        "outcome": request.outcome,
    }


def _request(row: Row[Any]) -> DataSubjectRequest:
    return DataSubjectRequest(
        id=row.id,
        customer_id=CustomerId(row.customer_id),
        kind=RequestKind(row.kind),
        status=RequestStatus(row.status),
        received_at=row.received_at,
        due_at=row.due_at,
        opened_by=row.opened_by,
        verification=row.verification,
        verified_by=row.verified_by,
        verified_at=row.verified_at,
        closed_at=row.closed_at,
        outcome=row.outcome,
    )


class SqlDataSubjectRequestRepository:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def add(self, request: DataSubjectRequest) -> None:
        write(self._connection, insert(privacy_requests), [_request_row(request)])

    def update(self, request: DataSubjectRequest) -> None:
        statement = (
            update(privacy_requests)
            .where(privacy_requests.c.id == request.id)
            .values(_request_row(request))
        )
        if self._connection.execute(statement).rowcount != 1:
            raise NotFoundError(f"no data-subject request with id {request.id!r}")

    def get(self, request_id: str) -> DataSubjectRequest | None:
        statement = select(privacy_requests).where(privacy_requests.c.id == request_id)
        row = self._connection.execute(statement).first()
        return None if row is None else _request(row)

    def list(self, *, open_only: bool, limit: int) -> builtins.list[DataSubjectRequest]:
        check_limit(limit)
        statement = select(privacy_requests).order_by(
            privacy_requests.c.due_at, privacy_requests.c.id
        )
        if open_only:
            open_statuses = [status.value for status in RequestStatus if status.is_open]
            statement = statement.where(privacy_requests.c.status.in_(open_statuses))
        return [_request(row) for row in self._connection.execute(statement.limit(limit))]

    def for_customer(self, customer_id: CustomerId) -> builtins.list[DataSubjectRequest]:
        statement = (
            select(privacy_requests)
            .where(privacy_requests.c.customer_id == customer_id)
            .order_by(privacy_requests.c.received_at, privacy_requests.c.id)
        )
        return [_request(row) for row in self._connection.execute(statement)]


def _hold(row: Row[Any]) -> LegalHold:
    return LegalHold(
        id=row.id,
        customer_id=CustomerId(row.customer_id),
        reason=row.reason,
        placed_by=row.placed_by,
        placed_at=row.placed_at,
        released_by=row.released_by,
        released_at=row.released_at,
    )


class SqlLegalHoldRepository:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def add(self, hold: LegalHold) -> None:
        row = {
            "id": hold.id,
            "customer_id": hold.customer_id,
            "reason": hold.reason,
            "placed_by": hold.placed_by,
            "placed_at": hold.placed_at,
            "released_by": hold.released_by,
            "released_at": hold.released_at,
        }
        write(self._connection, insert(legal_holds), [row])

    def release(self, hold_id: str, *, released_by: str, released_at: datetime) -> LegalHold:
        statement = (
            update(legal_holds)
            .where(legal_holds.c.id == hold_id, legal_holds.c.released_at.is_(None))
            .values(released_by=released_by, released_at=released_at)
            .returning(*legal_holds.c)
        )
        row = self._connection.execute(statement).first()
        if row is not None:
            return _hold(row)
        exists = self._connection.execute(
            select(legal_holds.c.id).where(legal_holds.c.id == hold_id)
        ).first()
        if exists is None:
            raise NotFoundError(f"no legal hold with id {hold_id!r}")
        raise ConflictError(f"legal hold {hold_id!r} was already released")

    def active_for(self, customer_ids: Sequence[CustomerId]) -> builtins.list[LegalHold]:
        found: builtins.list[LegalHold] = []
        for chunk in chunked(unique(customer_ids)):
            statement = select(legal_holds).where(
                legal_holds.c.customer_id.in_(chunk), legal_holds.c.released_at.is_(None)
            )
            found.extend(_hold(row) for row in self._connection.execute(statement))
        return sorted(found, key=lambda hold: (hold.placed_at, hold.id))

    def list(self, *, active_only: bool) -> builtins.list[LegalHold]:
        statement = select(legal_holds).order_by(legal_holds.c.placed_at, legal_holds.c.id)
        if active_only:
            statement = statement.where(legal_holds.c.released_at.is_(None))
        return [_hold(row) for row in self._connection.execute(statement)]
