"""The consent ledger over the API: record a customer's decision, read their history."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from strongroom.api.deps import AppDep, CurrentActor, Purpose
from strongroom.core.errors import InvalidInputError
from strongroom.core.models import Consent, CustomerId

router = APIRouter(prefix="/api/v1/customers", tags=["consent"])

CustomerIdPath = Annotated[str, Path(min_length=1, max_length=64)]
_CUSTOMER_ID = re.compile(r"[0-9a-f-]{1,64}")


class ConsentIn(BaseModel):
    """A decision the customer made outside tracking; unknown fields are refused."""

    model_config = ConfigDict(extra="forbid")

    purpose: str = Field(min_length=1, max_length=100)
    granted: bool
    wording_version: str | None = Field(default=None, max_length=100)


class ConsentOut(BaseModel):
    purpose: str
    granted: bool
    recorded_at: datetime
    source: str
    wording_version: str | None

    @classmethod
    def from_consent(cls, consent: Consent) -> ConsentOut:
        return cls(
            purpose=consent.purpose,
            granted=consent.granted,
            recorded_at=consent.recorded_at,
            source=consent.source_id,
            wording_version=consent.wording_version,
        )


class ConsentHistory(BaseModel):
    items: list[ConsentOut]


def _customer(customer_id: str) -> CustomerId:
    if not _CUSTOMER_ID.fullmatch(customer_id):
        raise InvalidInputError("customer_id: a customer id is a UUID (hex digits and '-')")
    return CustomerId(customer_id)


@router.post("/{customer_id}/consents", status_code=201)
async def record_consent(
    app: AppDep,
    actor: CurrentActor,
    customer_id: CustomerIdPath,
    decision: ConsentIn,
    purpose: Purpose = None,
) -> ConsentOut:
    """Append a consent decision to the customer's ledger (audited)."""
    consent = await run_in_threadpool(
        app.privacy.consents.record,
        actor=actor,
        customer_id=_customer(customer_id),
        purpose=decision.purpose,
        granted=decision.granted,
        wording_version=decision.wording_version,
        stated_purpose=purpose,
    )
    return ConsentOut.from_consent(consent)


@router.get("/{customer_id}/consents")
async def consent_history(
    app: AppDep, actor: CurrentActor, customer_id: CustomerIdPath
) -> ConsentHistory:
    """Every consent decision of the customer, oldest first."""
    history = await run_in_threadpool(
        app.privacy.consents.read_history, actor=actor, customer_id=_customer(customer_id)
    )
    return ConsentHistory(items=[ConsentOut.from_consent(consent) for consent in history])
