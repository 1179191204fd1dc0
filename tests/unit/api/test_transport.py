"""What the API refuses before any route runs, and what every answer carries."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any, cast

import httpx
import pytest

from strongroom.api.app import create_api
from strongroom.api.headers import SECURITY_HEADERS, content_type_problem


@pytest.mark.parametrize(
    ("method", "path", "headers", "refused"),
    [
        ("POST", "/api/v1/customers/x/consents", {"content-type": "application/json"}, False),
        ("POST", "/api/v1/customers/x/consents", {"content-type": "text/xml"}, True),
        ("POST", "/api/v1/customers/x/consents", {}, True),
        (
            "POST",
            "/api/v1/customers/x/consents",
            {"content-type": "application/json; charset=utf-16"},
            True,
        ),
        ("POST", "/api/v1/customers/x/consents", {"content-type": "application/json\x00"}, True),
        ("POST", "/api/v1/customers/x/consents", {"content-type": "A" * 10000}, True),
        ("DELETE", "/api/v1/customers/x", {"content-type": "multipart/form-data"}, True),
        ("POST", "/api/v1/cards/tok/detokenize", {"content-length": "0"}, False),  # no body
        ("GET", "/api/v1/customers", {"content-type": "text/html"}, False),
        ("POST", "/v1/batch", {"content-type": "text/plain"}, False),  # Segment's analytics.js
        ("POST", "/api/v1/customers/x/documents", {"content-type": "image/png"}, False),
        ("POST", "/oauth/token", {"content-type": "application/x-www-form-urlencoded"}, False),
        ("POST", "/oauth/token", {"content-type": "application/json"}, False),
        ("POST", "/oauth/token", {"content-type": "text/plain"}, True),
        ("POST", "/oauth/token", {}, True),
    ],
)
def test_content_types_are_checked_by_route(method, path, headers, refused):
    sent = {"content-length": "10", **headers}
    assert (content_type_problem(method, path, sent) is not None) is refused


def _api() -> Any:
    return create_api(cast(Any, SimpleNamespace()))  # no services: only routing is looked at


def test_every_json_request_body_refuses_unknown_fields():
    """Mass assignment: a smuggled field such as ``role`` is a 400, never silently kept."""
    schema = _api().openapi()
    models = schema["components"]["schemas"]
    checked = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            content = operation.get("requestBody", {}).get("content", {})
            if "application/json" not in content:
                continue
            name = content["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
            assert models[name].get("additionalProperties") is False, (method, path, name)
            checked.append(name)
    assert {"ConsentIn", "AppGrantIn", "ErasureIn"} <= set(checked)


def test_an_internal_error_shows_no_trace_or_sql_and_keeps_the_security_headers():
    api = _api()

    @api.get("/api/v1/boom")
    def boom() -> None:
        raise RuntimeError('(psycopg.errors.UndefinedTable) SELECT email FROM "customers"')

    async def call() -> httpx.Response:
        transport = httpx.ASGITransport(app=api, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="https://test") as client:
            return await client.get("/api/v1/boom")

    response = asyncio.run(call())
    assert response.status_code == 500
    assert response.json()["error"]["code"] == "internal_error"
    for leak in ("SELECT", "customers", "Traceback", "psycopg", "RuntimeError"):
        assert leak not in response.text
    for name, value in SECURITY_HEADERS.items():
        assert response.headers[name] == value
    assert response.headers["x-request-id"] == response.json()["error"]["request_id"]
