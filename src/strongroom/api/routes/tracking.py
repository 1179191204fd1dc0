"""The Segment-compatible tracking API, in every dialect real clients send.

``/v1/{identify,track,page,screen,group,alias}``, ``/v1/batch`` and ``/v1/import``; the
analytics.js short paths ``/v1/{i,t,p,s,g,a}`` and ``/v1/b``; the mobile SDKs' ``/b``. Answers
exactly ``200 {"success": true}`` once the batch is committed, as Segment's clients expect.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Literal

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from strongroom.api.deps import AppDep, request_origin
from strongroom.api.routes import tracking_cors
from strongroom.api.routes.tracking_body import header_write_key, read_body
from strongroom.collect.gate import Caller
from strongroom.collect.segment import MessageType, parse_request, with_client_ip
from strongroom.collect.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, SignedBody
from strongroom.collect.sources import BROWSER_CHANNELS

Endpoint = MessageType | Literal["batch"]

router = APIRouter(tags=["tracking"])
router.include_router(tracking_cors.router)

_SUCCESS = {"success": True}

# Path -> what it receives. Segment's names, then analytics.js's short ones, then mobile's.
PATHS: dict[str, Endpoint] = {
    "/v1/identify": "identify",
    "/v1/track": "track",
    "/v1/page": "page",
    "/v1/screen": "screen",
    "/v1/group": "group",
    "/v1/alias": "alias",
    "/v1/batch": "batch",
    "/v1/import": "batch",
    "/v1/i": "identify",
    "/v1/t": "track",
    "/v1/p": "page",
    "/v1/s": "screen",
    "/v1/g": "group",
    "/v1/a": "alias",
    "/v1/b": "batch",
    "/b": "batch",
}

_SUMMARIES: dict[Endpoint, str] = {
    "identify": "Who a customer is: their traits, classified and protected.",
    "track": "What a customer did; Order Completed also records an order.",
    "page": "A page a customer viewed.",
    "screen": "A screen of an app a customer viewed.",
    "group": "A group (company, account) a customer belongs to.",
    "alias": "Joins a previous identity (previousId) to a customer.",
    "batch": "Many calls at once; all are stored or none.",
}


async def ingest(request: Request, app: AppDep, endpoint: Endpoint) -> Response:
    """Read, parse, admit and store one tracking request."""
    body = await read_body(request)
    header_key = header_write_key(request)
    parsed = parse_request(body.json, endpoint=endpoint)
    origin = request_origin(request)
    caller = Caller(header_key, parsed.write_key, request.headers.get("origin"), origin)
    signed = SignedBody(
        request.headers.get(TIMESTAMP_HEADER), request.headers.get(SIGNATURE_HEADER), body.raw
    )

    def store() -> None:
        source = app.gate.admit(caller, signed)
        # Web and mobile clients cannot be trusted with their own address: take the connection's.
        browser = source.channel in BROWSER_CHANNELS
        stored = with_client_ip(parsed, origin.ip) if browser else parsed
        app.ingestor.ingest(source=source, request=stored, origin=origin)

    await run_in_threadpool(store)
    response = JSONResponse(_SUCCESS)
    tracking_cors.allow_origin(response, caller.browser_origin)
    return response


def _handler(endpoint: Endpoint) -> Callable[[Request, AppDep], Awaitable[Response]]:
    async def handle(request: Request, app: AppDep) -> Response:
        return await ingest(request, app, endpoint)

    handle.__doc__ = _SUMMARIES[endpoint]
    return handle


for _path, _endpoint in PATHS.items():
    router.add_api_route(
        _path,
        _handler(_endpoint),
        methods=["POST"],
        operation_id=f"post_{_path.strip('/').replace('/', '_')}",
        summary=_SUMMARIES[_endpoint],
    )
    tracking_cors.add_preflight(router, _path)
