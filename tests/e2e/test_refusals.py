"""Bad input is a security event: refused requests reach the audit log as ``request.refused``
(never with the values sent), and a flood of them is bounded."""

from __future__ import annotations

import json
import sqlite3
import time
from contextlib import closing
from typing import Any

import pytest

from strongroom.api.refusals import AUDITED_PER_SECOND

from .harness import RunningServer, assert_error, unique

pytestmark = pytest.mark.e2e

COLUMNS = ("actor", "outcome", "resource_ids", "detail", "ip", "user_agent", "request_id")
QUERY = (
    "SELECT actor, outcome, resource_ids, detail, ip, user_agent, request_id"
    " FROM audit_entries WHERE action = 'request.refused'"
)


def _let_the_audit_budget_refill() -> None:
    """Earlier tests refuse bad input from this same address: wait until its per-address audit
    budget (AUDITED_PER_SECOND a second, bursts of as many) is full again."""
    time.sleep(1.0 + 1.0 / AUDITED_PER_SECOND)


def _refusals(server: RunningServer, request_ids: list[str]) -> list[dict[str, Any]]:
    """The ``request.refused`` audit rows of these requests."""
    if server.database.kind == "sqlite":
        with closing(sqlite3.connect(server.sqlite_file)) as connection:
            rows = connection.execute(QUERY).fetchall()
    else:
        with server.database.connect() as connection:
            rows = connection.execute(QUERY).fetchall()
    found = [dict(zip(COLUMNS, row, strict=True)) for row in rows]
    for row in found:
        if isinstance(row["detail"], str):
            row["detail"] = json.loads(row["detail"])
    return [row for row in found if row["request_id"] in request_ids]


def test_a_hostile_content_type_is_audited_under_the_route_without_the_values_sent(
    strongroom_server: RunningServer,
) -> None:
    marker = f"{unique('leak')}@example.com"
    _let_the_audit_budget_refill()
    with strongroom_server.staff("dpo") as client:
        response = client.post(
            f"/api/v1/customers/{marker}/consents",
            params={"email": marker},
            content=json.dumps({"purpose": "marketing", "note": marker}).encode(),
            headers={"Content-Type": "text/xml", "User-Agent": "fuzzer/1.0"},
        )
    assert_error(response, 415, "unsupported_media_type")
    [row] = _refusals(strongroom_server, [response.headers["X-Request-Id"]])
    assert row["detail"] == {
        "method": "POST",
        "route": "/api/v1/customers/{customer_id}/consents",
        "status": 415,
        "code": "unsupported_media_type",
    }
    assert (row["actor"], row["outcome"]) == ("anonymous:unknown", "denied")
    assert (row["ip"], row["user_agent"]) == ("127.0.0.1", "fuzzer/1.0")
    assert marker not in json.dumps(row, default=str)


def test_a_smuggled_field_is_a_400_and_a_security_event(strongroom_server: RunningServer) -> None:
    customer = unique("cust")
    body = {"purpose": "marketing", "granted": True, "role": "admin"}
    _let_the_audit_budget_refill()
    with strongroom_server.staff("dpo") as client:
        response = client.post(f"/api/v1/customers/{customer}/consents", json=body)
    assert_error(response, 400, "invalid_input")
    [row] = _refusals(strongroom_server, [response.headers["X-Request-Id"]])
    assert row["detail"] == {
        "method": "POST",
        "route": "/api/v1/customers/{customer_id}/consents",
        "status": 400,
        "code": "invalid_input",
    }
    assert customer not in json.dumps(row, default=str)


def test_a_flood_of_bad_input_gets_a_bounded_number_of_audit_entries(
    strongroom_server: RunningServer,
) -> None:
    request_ids: list[str] = []
    _let_the_audit_budget_refill()
    started = time.monotonic()
    with strongroom_server.tracking() as client:
        for _ in range(60):
            response = client.post(
                "/v1/batch", content=b"{not json", headers={"Content-Type": "application/json"}
            )
            assert_error(response, 400)
            request_ids.append(response.headers["X-Request-Id"])
    elapsed = time.monotonic() - started
    audited = _refusals(strongroom_server, request_ids)
    assert 1 <= len(audited) <= AUDITED_PER_SECOND * (1 + elapsed) + 1
