"""Staff login end to end: the real server over TLS, the real CLI, a software security key."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pyotp
import pytest

from .harness import (
    Database,
    DataHome,
    assert_error,
    create_home,
    granted_staff,
    serving,
    strongroom_executable,
    tls_context,
)
from .webauthn_authenticator import SoftwareAuthenticator

pytestmark = pytest.mark.e2e

RP_ID = "localhost"
ORIGIN = "https://localhost:8443"
PHISHING_ORIGIN = "https://strongroom-login.example.net"
PASSWORD = "correct horse battery staple"
LOGIN = "/api/v1/auth/login"


@dataclass
class StaffServer:
    base_url: str
    home: DataHome
    totp: dict[str, str]  # name -> TOTP secret
    enrolment: dict[str, str]  # name -> enrolment code
    tokens: dict[str, str]  # name -> API token

    def client(self, address: str = "127.0.0.1") -> httpx.Client:
        transport = httpx.HTTPTransport(verify=tls_context(self.home.cert), local_address=address)
        return httpx.Client(base_url=self.base_url, transport=transport, timeout=30.0)

    def code(self, name: str) -> str:
        return pyotp.TOTP(self.totp[name]).now()


def _set_password(home: DataHome, name: str) -> None:
    done = subprocess.run(
        [strongroom_executable(), "staff", "password", name],
        input=PASSWORD + "\n",
        env=home.env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr


@pytest.fixture(scope="module")
def staff_server(
    module_database: Database, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[StaffServer]:
    """A data home with a support person per test, a DPO with an enrolment code, and a server."""
    root = tmp_path_factory.mktemp(f"staff-{module_database.kind}")
    home = create_home(root / "home", module_database)
    home.env.update({"STRONGROOM_WEBAUTHN_RP_ID": RP_ID, "STRONGROOM_WEBAUTHN_ORIGIN": ORIGIN})
    totp, enrolment, tokens = {}, {}, {}
    for name, role in [
        ("ann", "support"),
        ("tess", "support"),
        ("otto", "support"),
        ("dora", "dpo"),
    ]:
        enrolment[name] = granted_staff(home, name, role)["enrolment_code"]
        _set_password(home, name)
        totp[name] = home.cli_json("staff", "totp", "enrol", name)["secret"]
    # otto holds the role already: a token for him grants nothing and needs no approval
    tokens["otto"] = home.cli_json("tokens", "create", "--name", "otto", "--role", "support")[
        "token"
    ]
    with serving(home, root / "server.log") as served:
        yield StaffServer(served.base_url, home, totp, enrolment, tokens)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_password_and_totp_give_a_session_and_the_code_works_once(
    staff_server: StaffServer,
) -> None:
    with staff_server.client() as client:
        first = client.post(LOGIN, json={"username": "ann", "password": PASSWORD})
        assert first.status_code == 200, first.text
        assert first.json()["status"] == "mfa_required"
        assert first.json()["session"] is None
        code = staff_server.code("ann")
        login = client.post(LOGIN, json={"username": "ann", "password": PASSWORD, "totp": code})
        assert login.status_code == 200, login.text
        session = login.json()["session"]
        assert session.startswith("srs_")
        assert login.json()["mfa"] == "totp"
        me = client.get("/api/v1/auth/session", headers=bearer(session))
        assert me.json() == {"name": "ann", "role": "support", "kind": "staff"}
        again = client.post(LOGIN, json={"username": "ann", "password": PASSWORD, "totp": code})
        assert_error(again, 401, "unauthenticated")
        assert client.post("/api/v1/auth/logout", headers=bearer(session)).status_code == 200
        assert_error(client.get("/api/v1/auth/session", headers=bearer(session)), 401)


def _register(server: StaffServer, key: SoftwareAuthenticator, client: httpx.Client) -> None:
    body = {"enrolment_code": server.enrolment["dora"]}
    options = client.post("/api/v1/auth/webauthn/register/options", json=body)
    assert options.status_code == 200, options.text
    answer = key.register(options.json()["public_key"], origin=ORIGIN)
    verify = {"ceremony_id": options.json()["ceremony_id"], "credential": answer}
    done = client.post("/api/v1/auth/webauthn/register/verify", json=verify)
    assert done.status_code == 200, done.text


def _ceremony(client: httpx.Client) -> dict[str, Any]:
    login = client.post(LOGIN, json={"username": "dora", "password": PASSWORD})
    assert login.status_code == 200, login.text
    assert login.json()["methods"] == ["webauthn"]
    ticket = {"login_ticket": login.json()["login_ticket"]}
    options = client.post("/api/v1/auth/webauthn/authenticate/options", json=ticket)
    assert options.status_code == 200, options.text
    ceremony: dict[str, Any] = options.json()
    return ceremony


def test_a_dpo_logs_in_with_a_security_key_and_never_with_a_phished_answer(
    staff_server: StaffServer,
) -> None:
    key = SoftwareAuthenticator()
    with staff_server.client() as client:
        _register(staff_server, key, client)
        again = client.post(
            "/api/v1/auth/webauthn/register/options",
            json={"enrolment_code": staff_server.enrolment["dora"]},
        )
        assert_error(again, 401)  # the enrolment code worked once

        ceremony = _ceremony(client)
        answer = key.get_assertion(ceremony["public_key"], origin=ORIGIN, rp_id=RP_ID)
        verify = {"ceremony_id": ceremony["ceremony_id"], "credential": answer}
        login = client.post("/api/v1/auth/webauthn/authenticate/verify", json=verify)
        assert login.status_code == 200, login.text
        assert login.json()["mfa"] == "webauthn"
        assert login.json()["role"] == "dpo"
        session = login.json()["session"]
        assert client.get("/api/v1/auth/session", headers=bearer(session)).status_code == 200

        replayed = client.post("/api/v1/auth/webauthn/authenticate/verify", json=verify)
        assert_error(replayed, 401, "unauthenticated")

        phished = _ceremony(client)  # a proxy relays the real challenge to a look-alike site
        answer = key.get_assertion(phished["public_key"], origin=PHISHING_ORIGIN, rp_id=RP_ID)
        refused = client.post(
            "/api/v1/auth/webauthn/authenticate/verify",
            json={"ceremony_id": phished["ceremony_id"], "credential": answer},
        )
        assert_error(refused, 401, "unauthenticated")
        assert refused.json()["error"]["message"].startswith("the security key's")

        other_rp = _ceremony(client)
        answer = key.get_assertion(other_rp["public_key"], origin=ORIGIN, rp_id="example.net")
        refused = client.post(
            "/api/v1/auth/webauthn/authenticate/verify",
            json={"ceremony_id": other_rp["ceremony_id"], "credential": answer},
        )
        assert_error(refused, 401, "unauthenticated")


def test_a_dpo_with_a_relayed_password_and_totp_gets_webauthn_required_and_no_session(
    staff_server: StaffServer,
) -> None:
    body = {"username": "dora", "password": PASSWORD, "totp": staff_server.code("dora")}
    with staff_server.client() as client:
        response = client.post(LOGIN, json=body)
    error = assert_error(response, 403, "webauthn_required")
    assert "srs_" not in response.text
    assert "security key" in error["message"]


def test_guessing_is_throttled_without_locking_the_person_out_from_elsewhere(
    staff_server: StaffServer,
) -> None:
    wrong = {"username": "tess", "password": "not the password at all"}
    with staff_server.client("127.0.0.3") as attacker:
        for _ in range(3):
            assert_error(attacker.post(LOGIN, json=wrong), 401, "unauthenticated")
        throttled = attacker.post(LOGIN, json={"username": "tess", "password": PASSWORD})
    assert_error(throttled, 429, "rate_limited")
    assert int(throttled.headers["retry-after"]) >= 1
    body = {"username": "tess", "password": PASSWORD, "totp": staff_server.code("tess")}
    with staff_server.client("127.0.0.1") as tess:
        login = tess.post(LOGIN, json=body)
    assert login.status_code == 200, login.text
    assert login.json()["session"].startswith("srs_")


def test_disabling_a_person_ends_their_sessions_and_tokens_at_once(
    staff_server: StaffServer,
) -> None:
    body = {"username": "otto", "password": PASSWORD, "totp": staff_server.code("otto")}
    with staff_server.client() as client:
        session = client.post(LOGIN, json=body).json()["session"]
        credentials = [session, staff_server.tokens["otto"]]
        for credential in credentials:
            assert client.get("/api/v1/auth/session", headers=bearer(credential)).status_code == 200
        done = staff_server.home.cli_json("staff", "disable", "otto")
        assert done == {"name": "otto", "sessions_ended": 1, "tokens_revoked": 1}
        for credential in credentials:
            assert_error(client.get("/api/v1/auth/session", headers=bearer(credential)), 401)
        relogin = client.post(LOGIN, json={**body, "totp": "000000"})
        assert_error(relogin, 401, "unauthenticated")


@pytest.mark.parametrize(
    "authorization",
    [
        "Bearer srs_" + "A" * 4000,
        "Bearer srs_not-a-session",
        "Bearer srs_\u00ff\u00fe" + "\u00e9" * 20,
        "Bearer srs_",
    ],
    ids=["oversized", "unknown", "hostile bytes", "empty"],
)
def test_malformed_session_headers_get_401_with_the_one_error_body(
    staff_server: StaffServer, authorization: str
) -> None:
    with staff_server.client() as client:
        response = client.get(
            "/api/v1/auth/session", headers={"Authorization": authorization.encode("latin-1")}
        )
    assert_error(response, 401, "unauthenticated")


def test_an_oversized_login_body_field_gets_400(staff_server: StaffServer) -> None:
    with staff_server.client() as client:
        response = client.post(LOGIN, json={"username": "ann", "password": "x" * 5000})
    assert_error(response, 400, "invalid_input")
