"""Dependencies of the routes: the app's services, the acting staff member, the stated purpose."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Annotated

from fastapi import Depends, Header, Request
from starlette.concurrency import run_in_threadpool

from strongroom.access.machines.keys import SERVICE_KEY_PREFIX, Presented
from strongroom.access.sessions import is_session_token
from strongroom.access.tokens import authenticate_token
from strongroom.api.tls import client_cert_fingerprint
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
    authenticate: Callable[[], Actor]
    if token and token.startswith(f"{SERVICE_KEY_PREFIX}_"):
        presented = Presented(token, origin, client_cert_fingerprint(request))
        authenticate = partial(app.machines.keys.service_actor, presented)
    elif is_session_token(token):
        authenticate = partial(app.staff.sessions.authenticate, token, origin=origin)
    else:
        authenticate = partial(
            authenticate_token,
            uow_factory=app.uow_factory,
            audit=app.audit,
            token=token,
            origin=origin,
        )
    return await run_in_threadpool(authenticate)


def presented_key(request: Request) -> Presented:
    """A machine credential as presented: bearer secret, origin, TLS client certificate."""
    origin, fingerprint = request_origin(request), client_cert_fingerprint(request)
    return Presented(bearer_token(request), origin, fingerprint)


CurrentActor = Annotated[Actor, Depends(current_actor)]
Purpose = Annotated[
    str | None,
    Header(
        alias=PURPOSE_HEADER,
        description="Why the data is needed; the role's default purpose when absent",
        max_length=64,
    ),
]
