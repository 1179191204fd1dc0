"""Dependencies of the routes: the app's services, the acting staff member, the stated purpose."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Request
from starlette.concurrency import run_in_threadpool

from strongroom.access.tokens import authenticate_token
from strongroom.bootstrap import App
from strongroom.core.models import Actor
from strongroom.core.trail import Origin

PURPOSE_HEADER = "X-Strongroom-Purpose"
MAX_USER_AGENT_CHARS = 256


def get_app(request: Request) -> App:
    app: App = request.app.state.strongroom
    return app


AppDep = Annotated[App, Depends(get_app)]


def bearer_token(request: Request) -> str | None:
    scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
    return credentials.strip() if scheme.lower() == "bearer" and credentials else None


def request_origin(request: Request) -> Origin:
    """Where the request came from, for the audit log: the peer's address (the TCP connection,
    never a forwarding header anyone could send), its User-Agent and the request id."""
    agent = request.headers.get("user-agent")
    return Origin(
        ip=request.client.host if request.client else None,
        user_agent=agent[:MAX_USER_AGENT_CHARS].replace("\x00", "") if agent else None,
        request_id=getattr(request.state, "request_id", None),
    )


async def current_actor(request: Request, app: AppDep) -> Actor:
    token, origin = bearer_token(request), request_origin(request)
    return await run_in_threadpool(
        lambda: authenticate_token(
            uow_factory=app.uow_factory, audit=app.audit, token=token, origin=origin
        )
    )


CurrentActor = Annotated[Actor, Depends(current_actor)]
Purpose = Annotated[
    str | None,
    Header(
        alias=PURPOSE_HEADER,
        description="Why the data is needed; the role's default purpose when absent",
        max_length=64,
    ),
]
