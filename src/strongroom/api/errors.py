"""The one mapping from errors to HTTP: every error answers with the same JSON body.

{"error": {"code": "...", "message": "...", "request_id": "..."}}
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from strongroom.api.headers import SECURITY_HEADERS
from strongroom.core.errors import (
    ArchiveRefusedError,
    AuthenticationError,
    ConflictError,
    CustomerErasedError,
    FileTooLargeError,
    InvalidInputError,
    MalwareDetectedError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitedError,
    ScannerUnavailableError,
    StrongroomError,
    UnsupportedFileTypeError,
)

logger = logging.getLogger("strongroom.api")

# Most specific first; anything else is a server fault whose details stay in the server log.
STATUS_BY_ERROR: tuple[tuple[type[StrongroomError], int], ...] = (
    (FileTooLargeError, 413),  # the intake refusals, before InvalidInputError, their base
    (UnsupportedFileTypeError, 415),
    (MalwareDetectedError, 422),
    (ArchiveRefusedError, 422),
    (ScannerUnavailableError, 503),  # fail closed: no scanner, no file accepted
    (InvalidInputError, 400),
    (AuthenticationError, 401),
    (PermissionDeniedError, 403),
    (RateLimitedError, 429),
    (CustomerErasedError, 410),  # before NotFoundError, its base: gone for good, not unknown
    (NotFoundError, 404),
    (ConflictError, 409),
)

_HTTP_CODES = {
    400: "invalid_input",
    401: "unauthenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "unprocessable",
    429: "rate_limited",
    503: "unavailable",
}


def error_response(request: Request, status: int, code: str, message: str) -> JSONResponse:
    """The one error body."""
    request_id = getattr(request.state, "request_id", None)
    request.state.error_code = code  # for the security event of a refused request (app.py)
    body = {"error": {"code": code, "message": message, "request_id": request_id}}
    # Set here too: a 500 is answered outside the middleware that adds them to the rest.
    headers = dict(SECURITY_HEADERS)
    if request_id is not None:
        headers["X-Request-Id"] = request_id
    if status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    return JSONResponse(body, status_code=status, headers=headers)


async def _strongroom_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, StrongroomError)
    for error_type, status in STATUS_BY_ERROR:
        if isinstance(error, error_type):
            response = error_response(request, status, error.code, error.message)
            if isinstance(error, RateLimitedError):
                response.headers["Retry-After"] = str(error.retry_after)
            return response
    logger.error("request failed: %s (%s)", error.code, type(error).__name__)
    return error_response(request, 500, "internal_error", "the server could not complete this")


async def _validation_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    first = error.errors()[0] if error.errors() else {"loc": (), "msg": "invalid request"}
    where = ".".join(str(part) for part in first["loc"])
    return error_response(request, 400, "invalid_input", f"{where}: {first['msg']}")


async def _http_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, StarletteHTTPException)
    code = _HTTP_CODES.get(error.status_code, "http_error")
    return error_response(request, error.status_code, code, str(error.detail))


async def _unexpected_error(request: Request, error: Exception) -> JSONResponse:
    # Never a stack trace or SQL in the answer; the log has the type only, never the values.
    logger.error("unexpected %s on %s", type(error).__name__, request.url.path)
    return error_response(request, 500, "internal_error", "the server could not complete this")


def install_error_handlers(api: FastAPI) -> None:
    api.add_exception_handler(StrongroomError, _strongroom_error)
    api.add_exception_handler(RequestValidationError, _validation_error)
    api.add_exception_handler(StarletteHTTPException, _http_error)
    api.add_exception_handler(Exception, _unexpected_error)
