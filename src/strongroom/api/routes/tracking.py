"""The Segment-compatible tracking API: ``/v1/identify``, ``/v1/track``, ``/v1/batch``.

Answers exactly ``200 {"success": true}`` once the batch is committed, as Segment's clients expect.
"""

from __future__ import annotations

import base64
import binascii
from typing import Literal

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from strongroom.api.deps import AppDep, request_origin
from strongroom.collect.segment import MAX_REQUEST_BYTES, MessageType, parse_request
from strongroom.collect.sources import authenticate_source
from strongroom.core.errors import AuthenticationError, InvalidInputError, PayloadTooLargeError

router = APIRouter(prefix="/v1", tags=["tracking"])

_SUCCESS = {"success": True}


async def read_capped_body(request: Request) -> bytes:
    """The body, refused as soon as it passes the request limit (never buffered past it)."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_REQUEST_BYTES:
            raise PayloadTooLargeError(
                f"request body is over the limit of {MAX_REQUEST_BYTES} bytes; send smaller batches"
            )
        chunks.append(chunk)
    return b"".join(chunks)


def basic_auth_key(request: Request) -> str | None:
    """The write key from HTTP Basic auth: the username, the password being empty."""
    scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic" or not encoded:
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        raise InvalidInputError("the Authorization header is not valid HTTP Basic") from None
    return decoded.split(":", 1)[0] or None


async def _ingest(
    request: Request, app: AppDep, endpoint: MessageType | Literal["batch"]
) -> JSONResponse:
    body = await read_capped_body(request)
    header_key = basic_auth_key(request)
    parsed = parse_request(body, endpoint=endpoint)
    if header_key and parsed.write_key and header_key != parsed.write_key:
        raise AuthenticationError("the write key in the header and the one in the body differ")
    key, origin = header_key or parsed.write_key, request_origin(request)

    def store() -> None:
        source = authenticate_source(
            uow_factory=app.uow_factory, audit=app.audit, write_key=key, origin=origin
        )
        app.ingestor.ingest(source=source, request=parsed, origin=origin)

    await run_in_threadpool(store)
    return JSONResponse(_SUCCESS)


@router.post("/identify")
async def identify(request: Request, app: AppDep) -> JSONResponse:
    """Who a customer is: their traits, classified and protected."""
    return await _ingest(request, app, "identify")


@router.post("/track")
async def track(request: Request, app: AppDep) -> JSONResponse:
    """What a customer did; ``Order Completed`` also records an order."""
    return await _ingest(request, app, "track")


@router.post("/batch")
async def batch(request: Request, app: AppDep) -> JSONResponse:
    """Many calls at once; all are stored or none."""
    return await _ingest(request, app, "batch")
