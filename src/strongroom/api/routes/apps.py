"""Third-party apps read customers they were granted (Bearer ``sro_`` access token), and staff
record customers' grants to apps."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from strongroom.access.machines.apps import AppCaller
from strongroom.api.deps import AppDep, CurrentActor, Purpose, bearer_token, request_origin
from strongroom.core.errors import InvalidInputError
from strongroom.core.machines import AppGrant
from strongroom.core.models import CustomerId

router = APIRouter(prefix="/api/v1/apps", tags=["apps"])
grants_router = APIRouter(prefix="/api/v1/customers", tags=["apps"])

CustomerIdPath = Annotated[str, Path(min_length=1, max_length=64)]
PurposeQuery = Annotated[
    str | None, Query(max_length=64, description="The purpose the customer granted this app")
]
_CUSTOMER_ID = re.compile(r"[0-9a-f-]{1,64}")


def _customer(customer_id: str) -> CustomerId:
    if not _CUSTOMER_ID.fullmatch(customer_id):
        raise InvalidInputError("customer_id: a customer id is a UUID (hex digits and '-')")
    return CustomerId(customer_id)


async def current_app(request: Request, app: AppDep) -> AppCaller:
    token, origin = bearer_token(request), request_origin(request)
    return await run_in_threadpool(app.machines.apps.authenticate, token, origin)


CurrentApp = Annotated[AppCaller, Depends(current_app)]


class AppCustomerOut(BaseModel):
    id: str
    purpose: str
    fields: dict[str, Any]


@router.get("/customers/{customer_id}")
async def read_granted_customer(
    app: AppDep, caller: CurrentApp, customer_id: CustomerIdPath, purpose: PurposeQuery = None
) -> AppCustomerOut:
    """The fields the purpose allows, if this customer granted this app that purpose."""
    view = await run_in_threadpool(
        lambda: app.machines.grants.read_customer(
            caller=caller, customer_id=_customer(customer_id), purpose=purpose
        )
    )
    return AppCustomerOut(id=view.id, purpose=view.purpose, fields=view.fields)


class AppGrantIn(BaseModel):
    """A customer's decision about one app and one purpose; unknown fields are refused."""

    model_config = ConfigDict(extra="forbid")

    client_id: str = Field(min_length=1, max_length=64)
    purpose: str = Field(min_length=1, max_length=64)
    granted: bool


class AppGrantOut(BaseModel):
    client_id: str
    purpose: str
    granted: bool
    recorded_at: datetime
    recorded_by: str

    @classmethod
    def from_grant(cls, grant: AppGrant) -> AppGrantOut:
        return cls(
            client_id=grant.client_id,
            purpose=grant.purpose,
            granted=grant.granted,
            recorded_at=grant.recorded_at,
            recorded_by=grant.recorded_by,
        )


class AppGrantHistory(BaseModel):
    items: list[AppGrantOut]


@grants_router.post("/{customer_id}/app-grants", status_code=201)
async def record_app_grant(
    app: AppDep,
    actor: CurrentActor,
    customer_id: CustomerIdPath,
    decision: AppGrantIn,
    purpose: Purpose = None,
) -> AppGrantOut:
    """Record that the customer granted (or withdrew) an app a purpose; needs consent.manage."""
    grant = await run_in_threadpool(
        lambda: app.machines.grants.record(
            actor=actor,
            customer_id=_customer(customer_id),
            client_id=decision.client_id,
            purpose=decision.purpose,
            granted=decision.granted,
            stated_purpose=purpose,
        )
    )
    return AppGrantOut.from_grant(grant)


@grants_router.get("/{customer_id}/app-grants")
async def app_grant_history(
    app: AppDep, actor: CurrentActor, customer_id: CustomerIdPath
) -> AppGrantHistory:
    """Every decision of the customer about apps, oldest first."""
    grants = await run_in_threadpool(
        lambda: app.machines.grants.history(actor=actor, customer_id=_customer(customer_id))
    )
    return AppGrantHistory(items=[AppGrantOut.from_grant(grant) for grant in grants])
