"""Legal holds over HTTP (``privacy.manage``): while a hold is active the person is neither
exported nor erased, and retention keeps their data."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query

from strongroom.api.deps import AppDep, CurrentActor
from strongroom.api.routes.privacy_models import HoldIn, HoldOut, HoldPage
from strongroom.api.routes.privacy_requests import refuse_other_purpose
from strongroom.core.models import CustomerId

router = APIRouter(
    prefix="/api/v1/privacy/holds",
    tags=["privacy"],
    dependencies=[Depends(refuse_other_purpose)],
)

HoldIdPath = Annotated[str, Path(min_length=1, max_length=64, description="The hold's id")]


@router.post("", status_code=201)
def place_hold(app: AppDep, actor: CurrentActor, body: HoldIn) -> HoldOut:
    """Place a legal hold on a customer."""
    hold = app.privacy.holds.place(
        actor=actor, customer_id=CustomerId(body.customer_id), reason=body.reason
    )
    return HoldOut.from_hold(hold)


@router.post("/{hold_id}/release")
def release_hold(app: AppDep, actor: CurrentActor, hold_id: HoldIdPath) -> HoldOut:
    """Release a legal hold."""
    return HoldOut.from_hold(app.privacy.holds.release(actor=actor, hold_id=hold_id))


@router.get("")
def list_holds(
    app: AppDep,
    actor: CurrentActor,
    include_released: Annotated[bool, Query(alias="all", description="Released ones too")] = False,
) -> HoldPage:
    """Legal holds, oldest first."""
    holds = app.privacy.holds.list(actor=actor, active_only=not include_released)
    return HoldPage(items=[HoldOut.from_hold(hold) for hold in holds])
