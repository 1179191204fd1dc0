"""Bodies and answers of the data-subject rights, legal hold and retention routes.

Request bodies refuse unknown fields (``extra="forbid"``), so a misspelt or smuggled field is a
400, never silently ignored.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from strongroom.access.erasure import MAX_REASON_CHARS
from strongroom.core.privacy import DataSubjectRequest, LegalHold, RequestKind
from strongroom.privacy.notes import MAX_NOTE_CHARS
from strongroom.privacy.retention import RetentionCount

CUSTOMER_ID_PATTERN = r"^[0-9a-f-]{1,64}$"
MAX_VALUE_CHARS = 2000


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RequestIn(_Body):
    customer_id: str = Field(pattern=CUSTOMER_ID_PATTERN, description="The customer's id")
    kind: RequestKind
    received_at: datetime | None = Field(default=None, description="When it arrived; now if absent")
    verification: str | None = Field(
        default=None, max_length=MAX_NOTE_CHARS, description="How identity was verified, if it was"
    )


class VerificationIn(_Body):
    verification: str = Field(
        min_length=1, max_length=MAX_NOTE_CHARS, description="How identity was verified"
    )


class CloseIn(_Body):
    completed: bool = Field(default=True, description="Completed, or refused when false")
    outcome: str = Field(
        min_length=1, max_length=MAX_NOTE_CHARS, description="What was done, or why not"
    )


class ExportIn(_Body):
    format: Literal["json", "csv"] = Field(
        default="json", description="json: one document; csv: a zip of CSV tables"
    )


class RectificationIn(_Body):
    field: str = Field(min_length=1, max_length=100, description="The customer field, e.g. city")
    value: str = Field(min_length=1, max_length=MAX_VALUE_CHARS, description="The correct value")


class RequestErasureIn(_Body):
    reason: str | None = Field(
        default=None,
        max_length=MAX_REASON_CHARS - 100,  # room for the request id the receipt starts with
        description="Added to the receipt's reason after the request id; no personal data",
    )


class HoldIn(_Body):
    customer_id: str = Field(pattern=CUSTOMER_ID_PATTERN, description="The customer's id")
    reason: str = Field(
        min_length=1, max_length=MAX_NOTE_CHARS, description="e.g. a case reference; no PII"
    )


class RetentionRunIn(_Body):
    dry_run: bool = Field(default=True, description="Only count; false deletes (customers.erase)")


class RequestOut(BaseModel):
    id: str
    customer_id: str
    kind: str
    status: str
    received_at: datetime
    due_at: datetime
    seconds_left: int = Field(description="Until the legal due date; negative when overdue")
    overdue: bool
    opened_by: str
    verification: str | None
    verified_by: str | None
    verified_at: datetime | None
    closed_at: datetime | None
    outcome: str | None

    @classmethod
    def from_request(cls, request: DataSubjectRequest, now: datetime) -> RequestOut:
        return cls(
            id=request.id,
            customer_id=request.customer_id,
            kind=request.kind.value,
            status=request.status.value,
            received_at=request.received_at,
            due_at=request.due_at,
            seconds_left=int(request.time_left(now)),
            overdue=request.is_overdue(now),
            opened_by=request.opened_by,
            verification=request.verification,
            verified_by=request.verified_by,
            verified_at=request.verified_at,
            closed_at=request.closed_at,
            outcome=request.outcome,
        )


class RequestPage(BaseModel):
    items: list[RequestOut]


class RectifiedOut(BaseModel):
    request_id: str
    field: str
    status: Literal["rectified"] = "rectified"


class HoldOut(BaseModel):
    id: str
    customer_id: str
    reason: str
    placed_by: str
    placed_at: datetime
    released_by: str | None
    released_at: datetime | None
    active: bool

    @classmethod
    def from_hold(cls, hold: LegalHold) -> HoldOut:
        return cls(
            id=hold.id,
            customer_id=hold.customer_id,
            reason=hold.reason,
            placed_by=hold.placed_by,
            placed_at=hold.placed_at,
            released_by=hold.released_by,
            released_at=hold.released_at,
            active=hold.active,
        )


class HoldPage(BaseModel):
    items: list[HoldOut]


class RetentionRuleOut(BaseModel):
    data_class: str
    records: str
    keep_months: int
    cutoff: datetime
    due: int = Field(description="Records past the period before the run")
    deleted: int = Field(description="0 in a dry run")

    @classmethod
    def from_count(cls, count: RetentionCount) -> RetentionRuleOut:
        return cls(
            data_class=count.rule.data_class,
            records=count.rule.records,
            keep_months=count.rule.months,
            cutoff=count.cutoff,
            due=count.due,
            deleted=count.deleted,
        )


class RetentionRunOut(BaseModel):
    dry_run: bool
    rules: list[RetentionRuleOut]
