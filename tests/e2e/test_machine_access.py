"""Machine principals through the running TLS server and the real CLI: service keys, vendors
(Target 2013) and third-party apps (Cambridge Analytica 2018)."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from .harness import RunningServer, assert_error, unique, unique_email

pytestmark = pytest.mark.e2e

NO_SUCH_CUSTOMER = "00000000-0000-4000-8000-000000000000"


def _customer(server: RunningServer, **traits: Any) -> tuple[str, str]:
    """A new customer sent through tracking: (id, email)."""
    user, email = unique("machine-user"), unique_email("m")
    message = {"type": "identify", "userId": user, "traits": {"email": email, **traits}}
    with server.tracking() as client:
        assert client.post("/v1/batch", json={"batch": [message]}).status_code == 200
    return server.the_customer(email)["id"], email


def _bearer(server: RunningServer, secret: str) -> httpx.Client:
    return server.client(headers={"Authorization": f"Bearer {secret}"})


def _audit(server: RunningServer) -> list[dict[str, Any]]:
    lines = server.cli("audit", "export", "--since", "2000-01-01T00:00:00Z").stdout.splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def test_a_service_key_works_within_its_scopes_only(strongroom_server: RunningServer) -> None:
    customer_id, email = _customer(strongroom_server, firstName="Sam")
    issued = strongroom_server.cli_json(
        "service-keys", "create", unique("svc"), "--role", "support",
        "--scope", "customers.search", "--days", "30",
    )  # fmt: skip
    assert issued["key"].startswith("srv_")
    with _bearer(strongroom_server, issued["key"]) as client:
        found = client.get("/api/v1/customers", params={"email": email})
        refused = client.get(f"/api/v1/customers/{customer_id}")
    assert found.status_code == 200, found.text
    assert found.json()["items"][0]["traits"]["first_name"] != "Sam"  # masked: support role
    assert_error(refused, 403, "permission_denied")
    strongroom_server.cli("service-keys", "revoke", issued["id"])
    with _bearer(strongroom_server, issued["key"]) as client:
        assert_error(client.get("/api/v1/customers", params={"email": email}), 401)
    listed = strongroom_server.cli_json("service-keys", "list")
    assert any(k["id"] == issued["id"] and k["revoked_at"] for k in listed)
    assert all("key" not in k for k in listed)


def test_a_service_key_bound_to_other_networks_is_refused(strongroom_server: RunningServer) -> None:
    issued = strongroom_server.cli_json(
        "service-keys", "create", unique("svc-net"), "--role", "support",
        "--days", "1", "--network", "192.0.2.0/24",
    )  # fmt: skip
    with _bearer(strongroom_server, issued["key"]) as client:
        error = assert_error(
            client.get("/api/v1/customers", params={"email": "a@example.com"}), 401
        )
    assert "network" in error["message"]


def _staff_routes(server: RunningServer) -> list[tuple[str, str]]:
    with server.client() as client:
        paths = client.get("/openapi.json").json()["paths"]
    routes = []
    for path, operations in paths.items():
        if path.startswith("/api/"):
            concrete = path
            for name in ("customer_id", "token", "incident_id", "metric", "document_id"):
                concrete = concrete.replace(f"{{{name}}}", NO_SUCH_CUSTOMER)
            routes.extend((method.upper(), concrete) for method in operations)
    return routes


def test_a_write_key_is_refused_on_every_staff_route(strongroom_server: RunningServer) -> None:
    """A write key opens nothing a stranger could not: 401 on every route that needs a
    credential, and the stranger's answer on the public login ceremonies (/api/v1/auth/)."""
    routes = _staff_routes(strongroom_server)
    assert len(routes) >= 15
    with (
        _bearer(strongroom_server, strongroom_server.write_key) as client,
        strongroom_server.client() as stranger,
    ):
        for method, path in routes:
            body = {} if method != "GET" else None
            response = client.request(method, path, json=body)
            assert response.status_code < 200 or response.status_code >= 300, (method, path)
            if path.startswith("/api/v1/auth/"):
                anonymous = stranger.request(method, path, json=body)
                assert response.status_code == anonymous.status_code, (method, path)
                continue
            assert response.status_code == 401, (method, path, response.text)
            assert_error(response, 401)


def _vendor(server: RunningServer, network: str) -> dict[str, Any]:
    issued: dict[str, Any] = server.cli_json(
        "vendors", "create", unique("hvac"), "--field", "first_name", "--field", "age",
        "--network", network, "--purpose", "support", "--days", "7",
    )  # fmt: skip
    return issued


def test_target_a_vendor_key_from_another_network_is_refused_and_audited(
    strongroom_server: RunningServer,
) -> None:
    customer_id, _ = _customer(strongroom_server, firstName="Vee")
    stolen = _vendor(strongroom_server, "198.51.100.0/24")  # the vendor's own office
    with _bearer(strongroom_server, stolen["key"]) as client:  # used from here: 127.0.0.1
        error = assert_error(client.get(f"/api/v1/vendor/customers/{customer_id}"), 401)
    assert "network" in error["message"]
    refusal = [e for e in _audit(strongroom_server) if e["actor"] == f"vendor:{stolen['name']}"]
    assert refusal
    assert (refusal[-1]["action"], refusal[-1]["outcome"]) == ("auth.failed", "denied")
    assert refusal[-1]["detail"]["reason"] == "network"


def test_target_a_vendor_sees_its_fields_and_never_card_data(
    strongroom_server: RunningServer,
) -> None:
    user, email, number = unique("vendor-card"), unique_email("v"), "4111111111111111"
    order = {"order_id": unique("o"), "total": 10, "payment": {"card_number": number}}
    batch = [
        {"type": "identify", "userId": user, "traits": {"email": email, "firstName": "Ida"}},
        {"type": "track", "userId": user, "event": "Order Completed", "properties": order},
    ]
    with strongroom_server.tracking() as client:
        assert client.post("/v1/batch", json={"batch": batch}).status_code == 200
    profile = strongroom_server.the_customer(email)
    (card,) = profile["cards"]
    vendor = _vendor(strongroom_server, "127.0.0.0/8")
    with _bearer(strongroom_server, vendor["key"]) as client:
        response = client.get(f"/api/v1/vendor/customers/{profile['id']}")
        staff_route = client.get(f"/api/v1/customers/{profile['id']}")
    assert response.status_code == 200, response.text
    assert response.json() == {"id": profile["id"], "fields": {"first_name": "Ida"}}
    for leak in (number, number[-4:], card["token"], email):
        assert leak not in response.text
    assert_error(staff_route, 401)  # a vendor key is not a staff credential


def _app(server: RunningServer, *scopes: str) -> dict[str, Any]:
    arguments = [part for scope in scopes for part in ("--scope", scope)]
    registered: dict[str, Any] = server.cli_json("apps", "register", unique("quiz"), *arguments)
    return registered


def _token(server: RunningServer, app: dict[str, Any], scope: str) -> httpx.Response:
    with server.client() as client:
        return client.post(
            "/oauth/token",
            data={"grant_type": "client_credentials", "scope": scope},
            auth=(app["client_id"], app["client_secret"]),
        )


def _grant(server: RunningServer, customer_id: str, app: dict[str, Any], granted: bool) -> None:
    decision = {"client_id": app["client_id"], "purpose": "analytics", "granted": granted}
    with server.staff("dpo") as client:
        response = client.post(f"/api/v1/customers/{customer_id}/app-grants", json=decision)
    assert response.status_code == 201, response.text


def test_cambridge_analytica_an_app_reads_only_who_granted_it_until_they_withdraw(
    strongroom_server: RunningServer,
) -> None:
    ann, _ = _customer(strongroom_server, age=34, gender="f", firstName="Ann")
    bob, _ = _customer(strongroom_server, age=47, gender="m")
    app = _app(strongroom_server, "analytics")
    _grant(strongroom_server, ann, app, True)
    issued = _token(strongroom_server, app, "analytics")
    assert issued.status_code == 200, issued.text
    assert issued.headers["cache-control"] == "no-store"
    body = issued.json()
    assert (body["token_type"], body["scope"]) == ("Bearer", "analytics")
    assert body["access_token"].startswith("sro_")
    with _bearer(strongroom_server, body["access_token"]) as client:
        read = client.get(f"/api/v1/apps/customers/{ann}", params={"purpose": "analytics"})
        friend = client.get(f"/api/v1/apps/customers/{bob}", params={"purpose": "analytics"})
        stranger = client.get(
            f"/api/v1/apps/customers/{NO_SUCH_CUSTOMER}", params={"purpose": "analytics"}
        )
        _grant(strongroom_server, ann, app, False)
        after = client.get(f"/api/v1/apps/customers/{ann}", params={"purpose": "analytics"})
        unknown = client.get(f"/api/v1/apps/customers/{ann}", params={"purpose": "harvest"})
    assert read.status_code == 200, read.text
    assert read.json()["fields"] == {"age": 34, "gender": "f"}  # no name, no email
    assert_error(friend, 403, "permission_denied")
    assert_error(stranger, 403, "permission_denied")  # no hint whether the customer exists
    assert_error(after, 403, "permission_denied")
    assert_error(unknown, 400, "invalid_input")
    denied = [e for e in _audit(strongroom_server) if e["actor"] == f"app:{app['client_id']}"]
    assert sum(e["action"] == "access.denied" for e in denied) >= 4


def test_a_scope_the_app_was_not_registered_for_is_invalid_scope(
    strongroom_server: RunningServer,
) -> None:
    app = _app(strongroom_server, "analytics")
    refused = _token(strongroom_server, app, "analytics marketing")
    assert refused.status_code == 400
    assert refused.json()["error"] == "invalid_scope"  # RFC 6749 section 5.2
    with strongroom_server.client() as client:
        wrong = client.post(
            "/oauth/token",
            json={
                "grant_type": "client_credentials",
                "client_id": app["client_id"],
                "client_secret": "sra_guess",
            },
        )
        grant_type = client.post("/oauth/token", data={"grant_type": "password"})
    assert (wrong.status_code, wrong.json()["error"]) == (401, "invalid_client")
    assert (grant_type.status_code, grant_type.json()["error"]) == (400, "unsupported_grant_type")


def test_a_smuggled_role_field_is_refused_and_changes_nothing(
    strongroom_server: RunningServer,
) -> None:
    customer_id, _ = _customer(strongroom_server)
    app = _app(strongroom_server, "analytics")
    smuggled = {
        "client_id": app["client_id"], "purpose": "analytics", "granted": True, "role": "admin",
    }  # fmt: skip
    with strongroom_server.staff("dpo") as client:
        refused = client.post(f"/api/v1/customers/{customer_id}/app-grants", json=smuggled)
        history = client.get(f"/api/v1/customers/{customer_id}/app-grants")
        consent = client.post(
            f"/api/v1/customers/{customer_id}/consents",
            json={"purpose": "marketing", "granted": True, "role": "admin"},
        )
        consents = client.get(f"/api/v1/customers/{customer_id}/consents")
    assert "role" in assert_error(refused, 400, "invalid_input")["message"]
    assert history.json() == {"items": []}
    assert_error(consent, 400, "invalid_input")
    assert consents.json() == {"items": []}
