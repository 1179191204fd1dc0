"""Data-subject rights as a DPO meets them: consent over the API, a request answered with an
export from the CLI, a legal hold that stops erasure, a retention dry run."""

from __future__ import annotations

import json
import os
import stat
import uuid
import zipfile
from pathlib import Path

import pytest

from .harness import RunningServer, assert_error, unique, unique_email

pytestmark = pytest.mark.e2e


def _new_customer(server: RunningServer) -> tuple[str, str]:
    email = unique_email("p")
    with server.tracking() as client:
        response = client.post(
            "/v1/identify", json={"userId": unique("user"), "traits": {"email": email}}
        )
        assert response.status_code == 200, response.text
    return server.the_customer(email)["id"], email


def test_consent_is_recorded_and_read_through_the_api(strongroom_server: RunningServer) -> None:
    customer_id, _ = _new_customer(strongroom_server)
    path = f"/api/v1/customers/{customer_id}/consents"
    with strongroom_server.staff("dpo") as dpo:
        granted = dpo.post(path, json={"purpose": "marketing", "granted": True})
        withdrawn = dpo.post(
            path, json={"purpose": "marketing", "granted": False, "wording_version": "nl-v2"}
        )
        history = dpo.get(path)
        smuggled = dpo.post(path, json={"purpose": "marketing", "granted": True, "role": "admin"})
        not_consent = dpo.post(path, json={"purpose": "support", "granted": True})
    assert granted.status_code == withdrawn.status_code == 201, withdrawn.text
    items = history.json()["items"]
    assert [(i["granted"], i["wording_version"]) for i in items] == [(True, None), (False, "nl-v2")]
    assert items[1]["source"] == "staff:e2e-dpo"
    assert_error(smuggled, 400)
    assert_error(not_consent, 400, "invalid_input")
    with strongroom_server.staff("support") as support:
        assert_error(support.get(path), 403, "permission_denied")


def test_an_access_request_is_exported_and_a_hold_stops_erasure(
    strongroom_server: RunningServer, tmp_path: Path
) -> None:
    server = strongroom_server
    customer_id, email = _new_customer(server)
    token = ["--token", server.tokens["dpo"]]
    opened = server.cli_json("dsar", "open", customer_id, "--kind", "access", "--json", *token)
    request_id = opened[0]["id"]
    assert opened[0]["status"] == "received"
    assert not opened[0]["overdue"]
    refused = server.cli(
        "dsar", "export", request_id, "--out", str(tmp_path / "x.json"), *token, check=False
    )
    assert refused.returncode != 0
    assert "verified" in refused.stderr
    server.cli("dsar", "verify", request_id, "--how", "reply from the registered email", *token)

    out = tmp_path / "export.json"
    server.cli("dsar", "export", request_id, "--out", str(out), *token)
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600
    document = json.loads(out.read_text())
    assert {"field": "email", "data_class": "pii", "value": email} in document["profile"]
    assert any(row["action"] == "customer.search" for row in document["access_log"])
    bundle = tmp_path / "export.zip"
    server.cli("dsar", "export", request_id, "--out", str(bundle), "--csv", *token)
    with zipfile.ZipFile(bundle) as archive:
        assert email in archive.read("profile.csv").decode()
        assert "access_log.csv" in archive.namelist()

    held = server.cli("holds", "place", customer_id, "--reason", "case 17", *token)
    hold_id = held.stdout.split()[3]
    with server.staff("dpo") as dpo:
        response = dpo.request(
            "DELETE", f"/api/v1/customers/{customer_id}", json={"reason": "request 1"}
        )
    assert_error(response, 409, "legal_hold")
    server.cli("holds", "release", hold_id, *token)
    listed = server.cli_json("dsar", "list", "--json", *token)
    assert request_id in [row["id"] for row in listed]
    server.cli("dsar", "close", request_id, "--outcome", "sent securely", *token)
    assert request_id not in [
        row["id"] for row in server.cli_json("dsar", "list", "--json", *token)
    ]


def test_retention_dry_run_counts_and_deletes_nothing(strongroom_server: RunningServer) -> None:
    report = strongroom_server.cli_json("retention", "run", "--dry-run", "--json")
    assert report["dry_run"] is True
    assert [rule["records"] for rule in report["rules"]] == ["events", "orders"]
    assert all(rule["deleted"] == 0 for rule in report["rules"])


def test_the_privacy_commands_export_rectify_and_erase_for_tracked_requests(
    strongroom_server: RunningServer, tmp_path: Path
) -> None:
    server = strongroom_server
    customer_id, email = _new_customer(server)
    token = ["--token", server.tokens["dpo"]]

    def verified_request(kind: str) -> str:
        opened = server.cli_json(
            "dsar", "open", customer_id, "--kind", kind, "--verified", "passport seen", *token
        )
        return str(opened[0]["id"])

    access = verified_request("access")
    bundle = tmp_path / "export.zip"
    server.cli(
        "privacy", "export", customer_id, "--request", access, "--format", "csv",
        "--out", str(bundle), *token,
    )  # fmt: skip
    with zipfile.ZipFile(bundle) as archive:
        assert email in archive.read("profile.csv").decode()
        assert "dsar.opened" in archive.read("access_log.csv").decode()

    fix = verified_request("rectification")
    server.cli(
        "privacy", "rectify", customer_id, "--request", fix, "--field", "last_name",
        "--value", "Okafor", *token,
    )  # fmt: skip
    assert server.the_customer(email)["traits"]["last_name"] == "Okafor"

    erasure = verified_request("erasure")
    stranger = server.cli(
        "privacy", "erase", str(uuid.uuid4()), "--request", erasure, *token, check=False
    )
    assert stranger.returncode == 1
    assert "no customer with id" in stranger.stderr
    assert "Traceback" not in stranger.stderr
    receipt = tmp_path / "receipt.json"
    server.cli("privacy", "erase", customer_id, "--request", erasure, "--out", str(receipt), *token)
    assert json.loads(receipt.read_text())["reason"] == f"data-subject request {erasure}"
    assert server.cli_json("keys", "verify-receipt", str(receipt))["valid"] is True
    assert server.find_by_email(email) == []
