"""Data-subject rights: requests with their legal due dates, and legal holds.

GDPR Art. 12(3): a request is answered "within one month of receipt"; ``due_date`` computes it.
A legal hold stops exports and erasure of a person until it is released.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from strongroom.core.clock import add_months
from strongroom.core.models import CustomerId


class RequestKind(StrEnum):
    """What the data subject asks for (GDPR Art. 15, 16 and 17)."""

    ACCESS = "access"
    RECTIFICATION = "rectification"
    ERASURE = "erasure"


class RequestStatus(StrEnum):
    RECEIVED = "received"  # identity not yet verified
    VERIFIED = "verified"  # identity verified; the request can be carried out
    COMPLETED = "completed"
    REFUSED = "refused"  # e.g. identity could not be verified; the reason is recorded

    @property
    def is_open(self) -> bool:
        return self in {RequestStatus.RECEIVED, RequestStatus.VERIFIED}


@dataclass(frozen=True, slots=True)
class DataSubjectRequest:
    id: str
    customer_id: CustomerId
    kind: RequestKind
    status: RequestStatus
    received_at: datetime
    due_at: datetime
    opened_by: str  # actor label of the staff member who logged it
    verification: str | None = None  # how identity was verified, e.g. "email link + order no."
    verified_by: str | None = None
    verified_at: datetime | None = None
    closed_at: datetime | None = None
    outcome: str | None = None  # what was done, or why it was refused

    def time_left(self, now: datetime) -> float:
        """Seconds until the legal due date; negative when overdue."""
        return (self.due_at - now).total_seconds()

    def is_overdue(self, now: datetime) -> bool:
        """Still open after its legal due date."""
        return self.status.is_open and self.time_left(now) < 0


@dataclass(frozen=True, slots=True)
class LegalHold:
    id: str
    customer_id: CustomerId
    reason: str
    placed_by: str
    placed_at: datetime
    released_by: str | None = None
    released_at: datetime | None = None

    @property
    def active(self) -> bool:
        return self.released_at is None


def due_date(received_at: datetime) -> datetime:
    """One calendar month after receipt (Art. 12(3)); 31 January gives the end of February."""
    return add_months(received_at, 1)


class DataSubjectRequestRepository(Protocol):
    def add(self, request: DataSubjectRequest) -> None: ...

    def update(self, request: DataSubjectRequest) -> None:
        """Replace the stored request with the same id; NotFoundError if there is none."""

    def get(self, request_id: str) -> DataSubjectRequest | None: ...

    def list(self, *, open_only: bool, limit: int) -> Sequence[DataSubjectRequest]:
        """Requests by due date, soonest first."""

    def for_customer(self, customer_id: CustomerId) -> Sequence[DataSubjectRequest]: ...


class LegalHoldRepository(Protocol):
    def add(self, hold: LegalHold) -> None: ...

    def release(self, hold_id: str, *, released_by: str, released_at: datetime) -> LegalHold:
        """Mark the hold released; NotFoundError if unknown, ConflictError if already released."""

    def active_for(self, customer_ids: Sequence[CustomerId]) -> Sequence[LegalHold]: ...

    def list(self, *, active_only: bool) -> Sequence[LegalHold]: ...
