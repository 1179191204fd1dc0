"""Every error, whatever raised it, answers with the one JSON body and the right status."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from fastapi import FastAPI, Request

from strongroom.api.errors import install_error_handlers
from strongroom.core import errors

EXPECTED_STATUS = {
    errors.InvalidInputError: 400,
    errors.PayloadTooLargeError: 400,
    errors.FileTooLargeError: 413,
    errors.UnsupportedFileTypeError: 415,
    errors.OAuthError: 400,
    errors.WeakPasswordError: 400,
    errors.MalwareDetectedError: 422,
    errors.ArchiveRefusedError: 422,
    errors.ScannerUnavailableError: 503,
    errors.AuthenticationError: 401,
    errors.PermissionDeniedError: 403,
    errors.WebAuthnRequiredError: 403,
    errors.TrainingRequiredError: 403,
    errors.ApprovalRequiredError: 403,
    errors.RateLimitedError: 429,
    errors.VolumeLimitedError: 429,
    errors.NotFoundError: 404,
    errors.CustomerErasedError: 410,
    errors.ConflictError: 409,
    errors.LegalHoldError: 409,
    errors.ContainmentError: 409,
    errors.ConfigurationError: 500,
    errors.VaultError: 500,
    errors.WrongPassphraseError: 500,
    errors.KeyFileError: 500,
    errors.DecryptionError: 500,
    errors.AuditIntegrityError: 500,
    errors.CheckpointExportError: 500,
    errors.NotificationError: 500,
    errors.StrongroomError: 500,
}


def _every_error_class() -> list[type[errors.StrongroomError]]:
    found: list[type[errors.StrongroomError]] = []
    pending: list[type[errors.StrongroomError]] = [errors.StrongroomError]
    while pending:
        current = pending.pop()
        found.append(current)
        pending.extend(current.__subclasses__())
    return found


class _Client:
    """Calls the ASGI app in-process (Starlette's TestClient is deprecated with httpx)."""

    def __init__(self, api: FastAPI) -> None:
        self._api = api

    def request(self, method: str, path: str) -> httpx.Response:
        async def call() -> httpx.Response:
            transport = httpx.ASGITransport(app=self._api, raise_app_exceptions=False)
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
                return await client.request(method, path)

        return asyncio.run(call())

    def get(self, path: str) -> httpx.Response:
        return self.request("GET", path)

    def post(self, path: str) -> httpx.Response:
        return self.request("POST", path)


def _client(error: Exception) -> _Client:
    api = FastAPI()
    install_error_handlers(api)

    @api.middleware("http")
    async def request_id(request: Request, call_next):  # type: ignore[no-untyped-def]
        request.state.request_id = "req-1"
        return await call_next(request)

    @api.get("/boom")
    def boom() -> None:
        raise error

    @api.get("/typed/{number}")
    def typed(number: int) -> int:
        return number

    return _Client(api)


def test_the_table_covers_every_error_class() -> None:
    assert set(_every_error_class()) == set(EXPECTED_STATUS)


@pytest.mark.parametrize("error_class", sorted(EXPECTED_STATUS, key=lambda c: c.__name__))
def test_each_error_class_has_one_body(error_class: type[errors.StrongroomError]) -> None:
    response = _client(error_class("what went wrong")).get("/boom")
    assert response.status_code == EXPECTED_STATUS[error_class]
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "request_id"}
    assert body["error"]["request_id"] == "req-1"
    if response.status_code < 500 or response.status_code == 503:  # 503: try again later
        assert body["error"]["code"] == error_class.code
        assert body["error"]["message"] == "what went wrong"
    else:
        # Server faults never show their message: it may name keys, files or SQL.
        assert body["error"] == {
            "code": "internal_error",
            "message": "the server could not complete this",
            "request_id": "req-1",
        }


def test_an_unexpected_exception_shows_no_trace_or_detail() -> None:
    response = _client(RuntimeError("SELECT secret FROM keys")).get("/boom")
    assert response.status_code == 500
    assert "SELECT" not in response.text
    assert response.json()["error"]["code"] == "internal_error"


def test_framework_errors_use_the_same_body() -> None:
    client = _client(errors.StrongroomError("unused"))
    not_found = client.get("/nowhere")
    wrong_method = client.post("/boom")
    bad_type = client.get("/typed/abc")
    assert (not_found.status_code, not_found.json()["error"]["code"]) == (404, "not_found")
    assert wrong_method.status_code == 405
    assert wrong_method.json()["error"]["code"] == "method_not_allowed"
    assert (bad_type.status_code, bad_type.json()["error"]["code"]) == (400, "invalid_input")
    assert "number" in bad_type.json()["error"]["message"]


def test_401_asks_for_a_bearer_token() -> None:
    response = _client(errors.AuthenticationError("no token")).get("/boom")
    assert response.headers["www-authenticate"] == "Bearer"
