"""The OAuth 2 token endpoint for third-party apps: the client credentials grant (RFC 6749 4.4).

Its errors follow RFC 6749 section 5.2, ``{"error": "invalid_scope", "error_description": ...}``,
because OAuth client libraries expect exactly that: the one exception to the API's one error
body. A refused Content-Type (415) still answers with the one error body, before this route runs.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any
from urllib.parse import parse_qs, unquote_plus

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from strongroom.access.machines.apps import TokenRequest
from strongroom.api.deps import AppDep, request_origin
from strongroom.core.errors import OAuthError

router = APIRouter(tags=["oauth"])

MAX_TOKEN_REQUEST_BYTES = 4096
_PARAMETERS = ("grant_type", "client_id", "client_secret", "scope")
_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


@router.post("/oauth/token")
async def issue_token(request: Request, app: AppDep) -> JSONResponse:
    """An access token for an app's client credentials (form-encoded or JSON body)."""
    try:
        token_request = await _token_request(request)
        issued = await run_in_threadpool(app.machines.apps.issue_token, token_request)
    except OAuthError as error:
        headers = dict(_NO_STORE)
        if error.status == 401:
            headers["WWW-Authenticate"] = 'Basic realm="strongroom"'
        refusal = {"error": error.code, "error_description": error.message}
        return JSONResponse(refusal, status_code=error.status, headers=headers)
    body: dict[str, str | int] = {
        "access_token": issued.access_token,
        "token_type": "Bearer",
        "expires_in": issued.expires_in,
        "scope": " ".join(issued.scopes),
    }
    return JSONResponse(body, headers=_NO_STORE)


async def _token_request(request: Request) -> TokenRequest:
    params = _parameters(request, await _body(request))
    basic = _basic_credentials(request)
    if basic is not None:
        if params.get("client_id") not in (None, basic[0]) or "client_secret" in params:
            raise OAuthError("authenticate the client one way only: HTTP Basic or the body")
        params["client_id"], params["client_secret"] = basic
    return TokenRequest(
        grant_type=params.get("grant_type"),
        client_id=params.get("client_id"),
        client_secret=params.get("client_secret"),
        scope=params.get("scope"),
        origin=request_origin(request),
    )


async def _body(request: Request) -> bytes:
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_TOKEN_REQUEST_BYTES:
            raise OAuthError(f"the token request is over {MAX_TOKEN_REQUEST_BYTES} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _parameters(request: Request, body: bytes) -> dict[str, str]:
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    try:
        text = body.decode("utf-8")
        if media_type == "application/json":
            return _from_json(json.loads(text) if text else {})
        parsed = parse_qs(text, keep_blank_values=True, strict_parsing=bool(text))
    except (UnicodeDecodeError, ValueError):
        raise OAuthError("the body is not valid UTF-8 form data or JSON") from None
    if any(len(values) > 1 for values in parsed.values()):
        raise OAuthError("a parameter was sent more than once (RFC 6749 section 3.2)")
    return {name: values[0] for name, values in parsed.items() if name in _PARAMETERS}


def _from_json(document: Any) -> dict[str, str]:
    if not isinstance(document, dict):
        raise OAuthError("the JSON body must be an object of strings")
    params = {name: document[name] for name in _PARAMETERS if name in document}
    if not all(isinstance(value, str) for value in params.values()):
        raise OAuthError("every parameter must be a string")
    return params


def _basic_credentials(request: Request) -> tuple[str, str] | None:
    """Client id and secret from HTTP Basic, each form-encoded first (RFC 6749 2.3.1)."""
    scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise OAuthError(
            "malformed HTTP Basic credentials", code="invalid_client", status=401
        ) from None
    client_id, separator, secret = decoded.partition(":")
    if not separator:
        raise OAuthError(
            "malformed HTTP Basic credentials", code="invalid_client", status=401
        ) from None
    return unquote_plus(client_id), unquote_plus(secret)
