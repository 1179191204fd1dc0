"""Revealing one masked field of one customer, with a stated reason (audited, counted)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from strongroom.access.reveal import MAX_REASON_CHARS
from strongroom.api.deps import AppDep, CurrentActor, Purpose
from strongroom.api.routes.customers import CustomerIdPath
from strongroom.core.models import CustomerId

router = APIRouter(prefix="/api/v1/customers", tags=["customers"])


class RevealIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    field: str = Field(min_length=1, max_length=100, description="The masked field, e.g. email")
    reason: str = Field(
        min_length=1, max_length=MAX_REASON_CHARS, description="Why, e.g. a ticket number"
    )


class RevealedOut(BaseModel):
    customer_id: str
    field: str
    value: Any  # a trait's JSON value (JsonValue is recursive, which pydantic cannot model)


@router.post("/{customer_id}/reveal")
def reveal_field(
    app: AppDep,
    actor: CurrentActor,
    customer_id: CustomerIdPath,
    body: RevealIn,
    purpose: Purpose = None,
) -> RevealedOut:
    """One masked field unmasked; the field name and the reason go to the audit log.

    Any other body field (a smuggled ``role``, say) is refused with 400 by the one error mapping
    before anything is read."""
    revealed = app.policy.reveal.reveal(
        actor=actor,
        customer_id=CustomerId(customer_id),
        field=body.field,
        reason=body.reason,
        purpose=purpose,
    )
    return RevealedOut(customer_id=revealed.customer_id, field=revealed.field, value=revealed.value)
