"""The FastAPI app factory."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, Response

from strongroom import __version__
from strongroom.api.checkpointing import checkpoint_lifespan
from strongroom.api.errors import install_error_handlers
from strongroom.api.routes import cards, customers, erasure, health, tracking
from strongroom.bootstrap import App

SECURITY_HEADERS = {
    "Strict-Transport-Security": "max-age=31536000; includeSubDomains",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
}


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
    install_error_handlers(api)
    api.include_router(health.router)
    api.include_router(tracking.router)
    api.include_router(customers.router)
    api.include_router(erasure.router)
    api.include_router(cards.router)
    api.middleware("http")(_security_headers)
    return api


async def _security_headers(
    request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    request.state.request_id = str(uuid.uuid4())
    response = await call_next(request)
    response.headers.update(SECURITY_HEADERS)
    response.headers["X-Request-Id"] = request.state.request_id
    return response
