"""The FastAPI app factory."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, Response

from strongroom import __version__
from strongroom.api.checkpointing import checkpoint_lifespan
from strongroom.api.deps import request_origin
from strongroom.api.errors import error_response, install_error_handlers
from strongroom.api.headers import SECURITY_HEADERS, content_type_problem
from strongroom.api.refusals import REFUSED_AS_BAD_INPUT, RefusalRecorder
from strongroom.api.routes import analytics as analytics_routes
from strongroom.api.routes import apps as apps_routes
from strongroom.api.routes import auth as auth_routes
from strongroom.api.routes import cards, consents, customers, erasure, health, tracking
from strongroom.api.routes import documents as documents_routes
from strongroom.api.routes import holds as holds_routes
from strongroom.api.routes import incidents as incidents_routes
from strongroom.api.routes import incidents_notices as incident_notices_routes
from strongroom.api.routes import incidents_playbooks as incident_playbooks_routes
from strongroom.api.routes import incidents_work as incident_work_routes
from strongroom.api.routes import oauth as oauth_routes
from strongroom.api.routes import privacy_acts as privacy_acts_routes
from strongroom.api.routes import privacy_requests as privacy_requests_routes
from strongroom.api.routes import retention as retention_routes
from strongroom.api.routes import reveal as reveal_routes
from strongroom.api.routes import vendors as vendors_routes
from strongroom.bootstrap import App

__all__ = ["SECURITY_HEADERS", "create_api"]


def create_api(app: App) -> FastAPI:
    """The HTTP API over ``app``'s services."""
    api = FastAPI(
        title="Strongroom",
        version=__version__,
        description="A secure-by-default customer data platform.",
        docs_url=None,
        redoc_url=None,
        lifespan=checkpoint_lifespan,  # signs audit checkpoints in the background
    )
    api.state.strongroom = app
    api.state.refusals = RefusalRecorder(app)
    install_error_handlers(api)
    api.include_router(health.router)
    api.include_router(auth_routes.router)
    api.include_router(tracking.router)
    api.include_router(customers.router)
    api.include_router(reveal_routes.router)
    api.include_router(consents.router)
    api.include_router(erasure.router)
    api.include_router(privacy_requests_routes.router)
    api.include_router(privacy_acts_routes.router)
    api.include_router(holds_routes.router)
    api.include_router(retention_routes.router)
    api.include_router(cards.router)
    api.include_router(analytics_routes.router)
    api.include_router(documents_routes.router)
    api.include_router(incidents_routes.router)
    api.include_router(incident_work_routes.router)
    api.include_router(incident_playbooks_routes.router)
    api.include_router(incident_notices_routes.router)
    api.include_router(oauth_routes.router)
    api.include_router(apps_routes.router)
    api.include_router(apps_routes.grants_router)
    api.include_router(vendors_routes.router)
    api.middleware("http")(_content_type_guard)  # inside _security_headers: has a request id
    api.middleware("http")(_security_headers)
    return api


async def _content_type_guard(
    request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    problem = content_type_problem(request.method, request.url.path, request.headers)
    if problem is not None:
        return error_response(request, 415, "unsupported_media_type", problem)
    return await call_next(request)


async def _security_headers(
    request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    request.state.request_id = str(uuid.uuid4())
    response = await call_next(request)
    if response.status_code in REFUSED_AS_BAD_INPUT:
        code = getattr(request.state, "error_code", "invalid_input")
        recorder: RefusalRecorder = request.app.state.refusals
        await recorder.record(request, response.status_code, code, request_origin(request))
    response.headers.update(SECURITY_HEADERS)
    response.headers["X-Request-Id"] = request.state.request_id
    return response
