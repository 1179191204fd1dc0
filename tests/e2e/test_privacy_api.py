"""Data-subject rights over the API, as a DPO's tooling meets them: a request tracked from receipt
to export, rectification and an erasure with its signed receipt; legal holds; retention; and the
one error shape for every refusal, with nothing changed."""

from __future__ import annotations

import csv
import io
import json
import uuid
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from .harness import RunningServer, assert_error, unique, unique_email

pytestmark = pytest.mark.e2e

REQUESTS = "/api/v1/privacy/requests"
HOLDS = "/api/v1/privacy/holds"
RETENTION = "/api/v1/retention/run"


def _new_customer(server: RunningServer, *events: dict[str, Any]) -> tuple[str, str]:
    email, user = unique_email("r"), unique("user")
    with server.tracking() as client:
        response = client.post("/v1/identify", json={"userId": user, "traits": {"email": email}})
        assert response.status_code == 200, response.text
        for event in events:
            tracked = client.post("/v1/track", json={"userId": user, **event})
            assert tracked.status_code == 200, tracked.text
    return server.the_customer(email)["id"], email


def _open(dpo: httpx.Client, customer_id: str, kind: str, **extra: Any) -> dict[str, Any]:
    response = dpo.post(REQUESTS, json={"customer_id": customer_id, "kind": kind, **extra})
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def _csv_rows(archive: zipfile.ZipFile, name: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(archive.read(name).decode())))


def test_an_access_request_is_tracked_verified_and_exported_as_json_and_csv(
    strongroom_server: RunningServer,
) -> None:
    customer_id, email = _new_customer(strongroom_server, {"event": "Viewed Tea"})
    with strongroom_server.staff("dpo") as dpo:
        opened = _open(dpo, customer_id, "access")
        path = f"{REQUESTS}/{opened['id']}"
        too_early = dpo.post(f"{path}/export")
        verified = dpo.post(f"{path}/verify", json={"verification": "reply from the email"})
        as_json = dpo.post(f"{path}/export", json={"format": "json"})
        as_csv = dpo.post(f"{path}/export", json={"format": "csv"})
        late = _open(dpo, customer_id, "access", received_at=_days_ago(40))
        listed = dpo.get(REQUESTS).json()["items"]
        closed = dpo.post(f"{path}/close", json={"outcome": "sent by secure link"})
        refused = dpo.post(
            f"{REQUESTS}/{late['id']}/close", json={"completed": False, "outcome": "withdrawn"}
        )
        shown = dpo.get(path).json()
    assert opened["status"] == "received"
    assert not opened["overdue"]
    assert 27 * 86400 < opened["seconds_left"] <= 31 * 86400
    assert "verified" in assert_error(too_early, 409, "conflict")["message"]
    assert verified.json()["status"] == "verified"
    assert verified.json()["verified_by"] == "staff:e2e-dpo"

    assert as_json.headers["content-type"] == "application/json"
    assert as_json.headers["content-disposition"] == (
        f'attachment; filename="strongroom-export-{opened["id"]}.json"'
    )
    assert as_json.headers["cache-control"] == "no-store"
    document = as_json.json()
    assert document["format"] == "strongroom-subject-export/1"
    assert {"field": "email", "data_class": "pii", "value": email} in document["profile"]
    events = sorted((event["type"], event["name"] or "") for event in document["events"])
    assert events == [("identify", ""), ("track", "Viewed Tea")]
    actions = [row["action"] for row in document["access_log"]]
    assert {"customer.search", "dsar.opened", "dsar.verified"} <= set(actions)

    assert as_csv.headers["content-type"] == "application/zip"
    assert as_csv.headers["content-disposition"].endswith('.zip"')
    with zipfile.ZipFile(io.BytesIO(as_csv.content)) as archive:
        profile = _csv_rows(archive, "profile.csv")
        access_log = _csv_rows(archive, "access_log.csv")
    assert {"field": "email", "data_class": "pii", "value": email} in profile
    # The JSON export before it is in the log once: audited by the service, not twice.
    assert [row["who"] for row in access_log if row["action"] == "dsar.exported"] == [
        "staff:e2e-dpo"
    ]

    overdue = {row["id"]: row["overdue"] for row in listed}
    assert overdue[opened["id"]] is False
    assert overdue[late["id"]] is True
    assert closed.json()["status"] == "completed"
    assert refused.json()["status"] == "refused"
    assert shown["outcome"] == "sent by secure link"


def test_a_request_is_rectified_and_erased_with_a_receipt_that_verifies(
    strongroom_server: RunningServer, tmp_path: Path
) -> None:
    server = strongroom_server
    customer_id, _ = _new_customer(server)
    verified = {"verification": "passport seen at the counter"}
    with server.staff("dpo") as dpo:
        fix = _open(dpo, customer_id, "rectification", **verified)
        rectified = dpo.post(
            f"{REQUESTS}/{fix['id']}/rectify", json={"field": "last_name", "value": "Okafor"}
        )
        profile = dpo.get(f"/api/v1/customers/{customer_id}").json()
        access = _open(dpo, customer_id, "access", **verified)
        erasure = _open(dpo, customer_id, "erasure", **verified)
        hold = dpo.post(HOLDS, json={"customer_id": customer_id, "reason": "case 2026-17"})
        held_export = dpo.post(f"{REQUESTS}/{access['id']}/export")
        held_erase = dpo.post(f"{REQUESTS}/{erasure['id']}/erase")
        active = [h["id"] for h in dpo.get(HOLDS).json()["items"]]
        released = dpo.post(f"{HOLDS}/{hold.json()['id']}/release")
        still_active = [h["id"] for h in dpo.get(HOLDS).json()["items"]]
        wrong_kind = dpo.post(f"{REQUESTS}/{access['id']}/erase")
        erased = dpo.post(f"{REQUESTS}/{erasure['id']}/erase", json={"reason": "by letter"})
        closed = dpo.post(f"{REQUESTS}/{erasure['id']}/close", json={"outcome": "erased"})
        gone = dpo.get(f"/api/v1/customers/{customer_id}")
    assert rectified.json() == {
        "request_id": fix["id"],
        "field": "last_name",
        "status": "rectified",
    }
    assert profile["traits"]["last_name"] == "Okafor"

    assert hold.status_code == 201, hold.text
    assert hold.json()["id"] in active
    assert "legal hold" in assert_error(held_export, 409, "legal_hold")["message"]
    assert_error(held_erase, 409, "legal_hold")
    assert released.json()["active"] is False
    assert hold.json()["id"] not in still_active
    assert "not erasure" in assert_error(wrong_kind, 409, "conflict")["message"]

    assert erased.status_code == 200, erased.text
    receipt = erased.json()
    assert receipt["reason"] == f"data-subject request {erasure['id']}: by letter"
    assert customer_id not in erased.text
    assert closed.json()["status"] == "completed"
    assert_error(gone, 410, "customer_erased")
    file = tmp_path / "receipt.json"
    file.write_text(json.dumps(receipt))
    checked = server.cli_json("keys", "verify-receipt", str(file))
    assert checked["valid"] is True


def test_refused_requests_answer_the_one_error_shape_and_change_nothing(
    strongroom_server: RunningServer,
) -> None:
    customer_id, _ = _new_customer(strongroom_server)
    stranger = str(uuid.uuid4())
    body = {"customer_id": customer_id, "kind": "access"}
    with strongroom_server.staff("dpo") as dpo:
        before = dpo.get(REQUESTS, params={"all": "true", "limit": 1000}).json()["items"]
        refusals = {
            "unknown field": dpo.post(REQUESTS, json={**body, "priority": "high"}),
            "bad kind": dpo.post(REQUESTS, json={**body, "kind": "deletion"}),
            "bad purpose": dpo.post(
                REQUESTS, json=body, headers={"X-Strongroom-Purpose": "marketing"}
            ),
            "bad customer id": dpo.post(REQUESTS, json={**body, "customer_id": "1' OR '1'='1"}),
            "bad retention body": dpo.post(RETENTION, json={"dry_run": False, "force": True}),
            "bad consent purpose": dpo.post(
                f"/api/v1/customers/{customer_id}/consents",
                json={"purpose": "profiling", "granted": True},
            ),
        }
        unknown_person = dpo.post(REQUESTS, json={**body, "customer_id": stranger})
        unknown_erasure = dpo.request(
            "DELETE", f"/api/v1/customers/{stranger}", json={"reason": "request 9"}
        )
        unknown_request = dpo.post(f"{REQUESTS}/{stranger}/export")
        unknown_hold = dpo.post(f"{HOLDS}/{stranger}/release")
        after = dpo.get(REQUESTS, params={"all": "true", "limit": 1000}).json()["items"]
        consents = dpo.get(f"/api/v1/customers/{customer_id}/consents").json()["items"]
    with strongroom_server.staff("support") as support:
        not_allowed = support.get(REQUESTS)
    for what, response in refusals.items():
        assert response.status_code == 400, what
        assert_error(response, 400, "invalid_input")
    assert "dsar" in refusals["bad purpose"].json()["error"]["message"]
    assert "no customer" in assert_error(unknown_person, 404, "not_found")["message"]
    assert "nothing was erased" in assert_error(unknown_erasure, 404, "not_found")["message"]
    assert_error(unknown_request, 404, "not_found")
    assert_error(unknown_hold, 404, "not_found")
    assert_error(not_allowed, 403, "permission_denied")
    assert [r["id"] for r in after] == [r["id"] for r in before]
    assert consents == []


def test_retention_counts_per_data_class_in_a_dry_run_then_deletes_in_a_real_run(
    strongroom_server: RunningServer,
) -> None:
    old = (datetime.now(UTC) - timedelta(days=3 * 365)).isoformat()
    customer_id, _ = _new_customer(
        strongroom_server,
        {"event": "Old Visit", "timestamp": old},
        {"event": "Older Visit", "timestamp": old},
        {"event": "Fresh Visit"},
    )
    with strongroom_server.staff("support") as support:
        refused = support.post(RETENTION)
    with strongroom_server.staff("dpo") as dpo:
        dry = dpo.post(RETENTION)
        after_dry = dpo.get(f"/api/v1/customers/{customer_id}").json()
        real = dpo.post(RETENTION, json={"dry_run": False})
        again = dpo.post(RETENTION, json={"dry_run": True})
        after_real = dpo.get(f"/api/v1/customers/{customer_id}").json()
    assert_error(refused, 403, "permission_denied")
    assert dry.status_code == 200, dry.text
    counts = {rule["data_class"]: rule for rule in dry.json()["rules"]}
    assert dry.json()["dry_run"] is True
    assert set(counts) == {"behavioral", "transactional"}
    assert counts["behavioral"]["records"] == "events"
    assert counts["behavioral"]["keep_months"] == 13
    assert counts["behavioral"]["due"] >= 2
    assert all(rule["deleted"] == 0 for rule in counts.values())
    assert after_dry["event_count"] == 4  # the identify call and three tracks

    deleted = {rule["data_class"]: rule["deleted"] for rule in real.json()["rules"]}
    assert real.json()["dry_run"] is False
    assert deleted["behavioral"] == counts["behavioral"]["due"]
    assert {rule["data_class"]: rule["due"] for rule in again.json()["rules"]}["behavioral"] == 0
    assert after_real["event_count"] == 2  # the identify call and the fresh visit


def _days_ago(days: int) -> str:
    return (datetime.now(UTC) - timedelta(days=days)).isoformat()
