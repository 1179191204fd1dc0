"""Browsers: CORS preflight on the tracking paths, and analytics.js's settings document.

A preflight passes for an origin that any active web or mobile source allows; the request that
follows must then come from an origin its own source allows (collect.gate checks that).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from strongroom.api.deps import AppDep, request_origin
from strongroom.api.errors import error_response
from strongroom.collect.gate import Caller

router = APIRouter(tags=["tracking"])

ALLOWED_HEADERS = "Authorization, Content-Type, Content-Encoding, X-Retry-Count"
PREFLIGHT_MAX_AGE = 600


def allow_origin(response: Response, browser_origin: str | None) -> None:
    """Let the browser read ``response`` (called only once the origin was checked)."""
    response.headers["Vary"] = "Origin"
    if browser_origin is not None:
        response.headers["Access-Control-Allow-Origin"] = browser_origin


def add_preflight(target: APIRouter, path: str) -> None:
    """Answer ``OPTIONS path`` for the browser's preflight."""
    target.add_api_route(
        path,
        preflight,
        methods=["OPTIONS"],
        operation_id=f"options_{path.strip('/').replace('/', '_')}",
        include_in_schema=False,
    )


async def preflight(request: Request, app: AppDep) -> Response:
    """204 with the CORS headers for an allowed origin; 403 with the error body otherwise."""
    browser_origin = request.headers.get("origin")
    allowed = await run_in_threadpool(app.gate.allows_preflight, browser_origin)
    if not allowed:
        return error_response(
            request, 403, "permission_denied", "no source accepts calls from this origin"
        )
    response = Response(status_code=204)
    allow_origin(response, browser_origin)
    response.headers["Access-Control-Allow-Methods"] = "POST, OPTIONS"
    response.headers["Access-Control-Allow-Headers"] = ALLOWED_HEADERS
    response.headers["Access-Control-Max-Age"] = str(PREFLIGHT_MAX_AGE)
    return response


@router.get("/v1/projects/{write_key}/settings")
async def project_settings(write_key: str, request: Request, app: AppDep) -> JSONResponse:
    """The settings analytics.js loads at start: where to send, for a live write key."""
    caller = Caller(None, write_key, request.headers.get("origin"), request_origin(request))
    await run_in_threadpool(app.gate.identify, caller)
    host = request.headers.get("host") or f"{request.url.hostname}:{request.url.port}"
    response = JSONResponse(settings_document(write_key, api_host=f"{host}/v1"))
    allow_origin(response, caller.browser_origin)
    return response


def settings_document(write_key: str, *, api_host: str) -> dict[str, Any]:
    """A Segment-shaped settings document naming this server as the only destination."""
    return {
        "integrations": {
            "Segment.io": {
                "apiKey": write_key,
                "apiHost": api_host,
                "protocol": "https",
                "unbundledIntegrations": [],
                "addBundledMetadata": True,
                "maybeBundledConfigIds": {},
            }
        },
        "plan": {
            "track": {"__default": {"enabled": True, "integrations": {}}},
            "identify": {"__default": {"enabled": True}},
            "group": {"__default": {"enabled": True}},
        },
        "edgeFunction": {},
        "analyticsNextEnabled": True,
        "middlewareSettings": {},
        "enabledMiddleware": {},
        "metrics": {"sampleRate": 0.0},
        "legacyVideoPluginsEnabled": False,
        "remotePlugins": [],
    }
