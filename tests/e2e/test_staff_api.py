"""The staff API, end to end: tokens, roles, purposes, masking and the audit trail of reads."""

from __future__ import annotations

import secrets
import sqlite3
import uuid
from contextlib import closing
from pathlib import Path
from typing import Any

import httpx
import pytest

from .harness import (
    RunningServer,
    assert_error,
    create_home,
    granted_token,
    unique,
    unique_email,
)

pytestmark = pytest.mark.e2e

PURPOSE = "X-Strongroom-Purpose"


@pytest.fixture(scope="module")
def customer(strongroom_server: RunningServer) -> dict[str, Any]:
    """A customer with PII, a demographic and an unclassified trait; with its id and traits."""
    user, email = unique("user"), unique_email("m")
    traits = {
        "email": email,
        "phone": "+44 7700 900123",
        "firstName": "Marta",
        "lastName": "Quist",
        "age": 42,
        "favourite_colour": "teal",
    }
    with strongroom_server.tracking() as client:
        response = client.post("/v1/identify", json={"userId": user, "traits": traits})
    assert response.status_code == 200, response.text
    found = strongroom_server.the_customer(email)
    return {"id": found["id"], "email": email, "user_id": user}


def read(server: RunningServer, customer_id: str, **headers: str) -> httpx.Response:
    with server.client(headers=headers) as client:
        return client.get(f"/api/v1/customers/{customer_id}")


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


# --- authentication -----------------------------------------------------------------------------


def test_a_read_without_a_token_is_refused_with_401(
    strongroom_server: RunningServer, customer: dict[str, Any]
) -> None:
    response = read(strongroom_server, customer["id"])
    assert_error(response, 401, "unauthenticated")
    assert response.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize(
    "authorization",
    [
        f"Bearer srt_{'A' * 43}",
        "Bearer not-a-strongroom-token",
        "Bearer",
        "Basic c3J0X3NvbWV0aGluZzo=",
    ],
    ids=["unknown token", "foreign token", "bearer without a token", "basic scheme"],
)
def test_a_read_with_a_bad_token_is_refused_with_401(
    strongroom_server: RunningServer, customer: dict[str, Any], authorization: str
) -> None:
    response = read(strongroom_server, customer["id"], Authorization=authorization)
    assert_error(response, 401, "unauthenticated")


def test_a_valid_token_with_the_wrong_scheme_is_refused_with_401(
    strongroom_server: RunningServer, customer: dict[str, Any]
) -> None:
    token = strongroom_server.tokens["dpo"]
    response = read(strongroom_server, customer["id"], Authorization=f"Token {token}")
    assert_error(response, 401, "unauthenticated")


def test_a_revoked_token_is_refused_with_401(
    strongroom_server: RunningServer, customer: dict[str, Any]
) -> None:
    issued = granted_token(strongroom_server, unique("e2e-revoked"), "support")
    assert read(strongroom_server, customer["id"], **bearer(issued["token"])).status_code == 200

    revoked = strongroom_server.cli("tokens", "revoke", issued["id"])
    assert issued["id"] in revoked.stdout

    response = read(strongroom_server, customer["id"], **bearer(issued["token"]))
    assert_error(response, 401, "unauthenticated")
    # Other tokens of the same role are unaffected.
    assert read(strongroom_server, customer["id"], **bearer(strongroom_server.tokens["support"]))


# --- roles and purposes -------------------------------------------------------------------------


def test_the_admin_role_is_refused_customer_reads_with_403(
    strongroom_server: RunningServer, customer: dict[str, Any]
) -> None:
    by_id = read(strongroom_server, customer["id"], **bearer(strongroom_server.tokens["admin"]))
    with strongroom_server.staff("admin") as client:
        by_email = client.get("/api/v1/customers", params={"email": customer["email"]})
    for response in (by_id, by_email):
        error = assert_error(response, 403, "permission_denied")
        assert "admin" in error["message"]
        assert customer["email"] not in response.text


def test_an_unknown_purpose_is_refused_with_400(
    strongroom_server: RunningServer, customer: dict[str, Any]
) -> None:
    headers = bearer(strongroom_server.tokens["dpo"]) | {PURPOSE: "curiosity"}
    error = assert_error(read(strongroom_server, customer["id"], **headers), 400, "invalid_input")
    assert "curiosity" in error["message"]


@pytest.mark.parametrize(
    ("role", "purpose"), [("support", "dsar"), ("dpo", "support"), ("support", "administration")]
)
def test_a_purpose_the_role_may_not_state_is_refused_with_403(
    strongroom_server: RunningServer, customer: dict[str, Any], role: str, purpose: str
) -> None:
    headers = bearer(strongroom_server.tokens[role]) | {PURPOSE: purpose}
    response = read(strongroom_server, customer["id"], **headers)
    assert_error(response, 403, "permission_denied")
    assert customer["email"] not in response.text


@pytest.mark.parametrize(("role", "purpose"), [("support", "support"), ("dpo", "security")])
def test_a_purpose_the_role_may_state_is_accepted(
    strongroom_server: RunningServer, customer: dict[str, Any], role: str, purpose: str
) -> None:
    headers = bearer(strongroom_server.tokens[role]) | {PURPOSE: purpose}
    response = read(strongroom_server, customer["id"], **headers)
    assert response.status_code == 200, response.text
    assert response.json()["id"] == customer["id"]


def test_an_unknown_customer_is_404(strongroom_server: RunningServer) -> None:
    missing = str(uuid.uuid4())
    response = read(strongroom_server, missing, **bearer(strongroom_server.tokens["dpo"]))
    assert_error(response, 404, "not_found")


def test_a_malformed_customer_id_is_refused_with_400(strongroom_server: RunningServer) -> None:
    response = read(strongroom_server, "not-an-id!", **bearer(strongroom_server.tokens["dpo"]))
    assert_error(response, 400, "invalid_input")


def test_an_email_nobody_has_finds_no_customer(strongroom_server: RunningServer) -> None:
    assert strongroom_server.find_by_email(unique_email(), role="support") == []


# --- what each role sees ------------------------------------------------------------------------


def test_support_sees_pii_masked(
    strongroom_server: RunningServer, customer: dict[str, Any]
) -> None:
    response = read(
        strongroom_server, customer["id"], **bearer(strongroom_server.tokens["support"])
    )
    assert response.status_code == 200, response.text
    view = response.json()
    traits = view["traits"]
    assert traits["email"] == f"m***@{customer['email'].split('@')[1]}"
    assert traits["phone"] == "***23"
    assert traits["first_name"] == "M***"
    assert traits["last_name"] == "Q***"
    assert traits["favourite_colour"] == "***"  # unclassified: masked like PII
    assert traits["age"] == 42  # demographic: visible
    assert set(view["masked_fields"]) == {
        "email",
        "phone",
        "first_name",
        "last_name",
        "favourite_colour",
    }
    identifiers = {item["kind"]: item["value"] for item in view["identifiers"]}
    assert identifiers == {"user_id": "***"}  # the email is found through its field's index
    for secret in (customer["email"], customer["user_id"], "7700 900123", "Marta", "Quist", "teal"):
        assert secret not in response.text


def test_dpo_sees_pii_unmasked(strongroom_server: RunningServer, customer: dict[str, Any]) -> None:
    response = read(strongroom_server, customer["id"], **bearer(strongroom_server.tokens["dpo"]))
    assert response.status_code == 200, response.text
    view = response.json()
    assert view["masked_fields"] == []
    assert view["traits"] == {
        "email": customer["email"],
        "phone": "+44 7700 900123",
        "first_name": "Marta",
        "last_name": "Quist",
        "age": 42,
        "favourite_colour": "teal",
    }
    identifiers = {item["kind"]: item["value"] for item in view["identifiers"]}
    assert identifiers == {"user_id": customer["user_id"]}


# --- the audit trail ----------------------------------------------------------------------------


def test_reads_are_audited_and_the_audit_chain_verifies(
    strongroom_server: RunningServer, customer: dict[str, Any]
) -> None:
    before = strongroom_server.cli_json("audit", "verify")
    assert before["ok"] is True

    reads = [
        read(strongroom_server, customer["id"], **bearer(strongroom_server.tokens["support"])),
        read(strongroom_server, customer["id"], **bearer(strongroom_server.tokens["dpo"])),
        read(strongroom_server, customer["id"], **bearer(strongroom_server.tokens["admin"])),
        read(strongroom_server, customer["id"]),
    ]
    assert [response.status_code for response in reads] == [200, 200, 403, 401]
    strongroom_server.find_by_email(customer["email"], role="support")

    after = strongroom_server.cli_json("audit", "verify")
    assert after["ok"] is True
    # Two reads, a denial, a failed authentication and a search: each one is an audit entry.
    assert after["entries_checked"] >= before["entries_checked"] + 5
    assert after["head_seq"] == after["entries_checked"]
    assert after["head_hash"] != before["head_hash"]


def test_a_changed_audit_entry_is_named_by_audit_verify(tmp_path: Path) -> None:
    """SQLite only: the test edits the database file directly, as an attacker with disk access."""
    home = create_home(tmp_path / "home")
    home.cli("sources", "create", "tamper-web", "--channel", "web")
    granted_token(home, "tamper-support", "support")  # requested, approved, used, created
    assert home.cli_json("audit", "verify")["entries_checked"] == 6

    tampered_seq = 2
    with closing(sqlite3.connect(home.sqlite_file)) as database, database:
        changed = database.execute(
            "UPDATE audit_entries SET actor = ? WHERE seq = ?",
            (f"local:intruder-{secrets.token_hex(3)}", tampered_seq),
        )
        assert changed.rowcount == 1

    for args in (("audit", "verify"), ("audit", "verify", "--json")):
        result = home.cli(*args, check=False)
        assert result.returncode != 0
        assert "Traceback" not in result.stderr
        assert f"audit entry {tampered_seq} " in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
        assert '"ok": true' not in result.stdout
