"""Data-subject requests over HTTP (``privacy.manage``): log one with its legal due date, list them
with the time left, read one, record identity verification, close one.

Every route here acts for the purpose ``dsar``; a different ``X-Strongroom-Purpose`` is refused.
The services authorise and audit; the routes parse, call one service and shape the answer.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query

from strongroom.api.deps import PURPOSE_HEADER, AppDep, CurrentActor, Purpose
from strongroom.api.routes.privacy_models import (
    CloseIn,
    RequestIn,
    RequestOut,
    RequestPage,
    VerificationIn,
)
from strongroom.core.errors import InvalidInputError
from strongroom.core.models import CustomerId

DSAR_PURPOSE = "dsar"

RequestIdPath = Annotated[str, Path(min_length=1, max_length=64, description="The request's id")]


def refuse_other_purpose(actor: CurrentActor, purpose: Purpose = None) -> None:
    """Data-subject rights are exercised for the purpose ``dsar`` only (checked once the caller
    is authenticated, so a stranger still gets 401)."""
    del actor  # resolved once per request; the route receives the same actor
    if purpose is not None and purpose != DSAR_PURPOSE:
        raise InvalidInputError(
            f"{PURPOSE_HEADER}: data-subject requests are answered for the purpose "
            f"'{DSAR_PURPOSE}' only; send that or leave the header out"
        )


router = APIRouter(
    prefix="/api/v1/privacy/requests",
    tags=["privacy"],
    dependencies=[Depends(refuse_other_purpose)],
)


@router.post("", status_code=201)
def open_request(app: AppDep, actor: CurrentActor, body: RequestIn) -> RequestOut:
    """Log a data-subject request; it is due one calendar month after receipt."""
    request = app.privacy.requests.open(
        actor=actor,
        customer_id=CustomerId(body.customer_id),
        kind=body.kind,
        received_at=body.received_at,
        verification=body.verification,
    )
    return RequestOut.from_request(request, app.clock.now())


@router.get("")
def list_requests(
    app: AppDep,
    actor: CurrentActor,
    include_closed: Annotated[bool, Query(alias="all", description="Closed ones too")] = False,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> RequestPage:
    """Requests by due date, soonest first, each with the time left and an overdue flag."""
    requests = app.privacy.requests.list(actor=actor, open_only=not include_closed, limit=limit)
    now = app.clock.now()
    return RequestPage(items=[RequestOut.from_request(request, now) for request in requests])


@router.get("/{request_id}")
def read_request(app: AppDep, actor: CurrentActor, request_id: RequestIdPath) -> RequestOut:
    """One request."""
    request = app.privacy.requests.get(actor=actor, request_id=request_id)
    return RequestOut.from_request(request, app.clock.now())


@router.post("/{request_id}/verify")
def verify_request(
    app: AppDep, actor: CurrentActor, request_id: RequestIdPath, body: VerificationIn
) -> RequestOut:
    """Record how the requester's identity was verified."""
    request = app.privacy.requests.verify(
        actor=actor, request_id=request_id, verification=body.verification
    )
    return RequestOut.from_request(request, app.clock.now())


@router.post("/{request_id}/close")
def close_request(
    app: AppDep, actor: CurrentActor, request_id: RequestIdPath, body: CloseIn
) -> RequestOut:
    """Close a request as completed (verified; an erasure carried out) or refused."""
    request = app.privacy.requests.close(
        actor=actor, request_id=request_id, completed=body.completed, outcome=body.outcome
    )
    return RequestOut.from_request(request, app.clock.now())
