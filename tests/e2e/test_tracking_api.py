"""The Segment-compatible tracking API, end to end: over TLS, into the database, out via staff."""

from __future__ import annotations

import json
import re
import secrets
import socket
import ssl
import threading
import warnings
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from .harness import RunningServer, assert_error, unique, unique_email

pytestmark = pytest.mark.e2e

ONE_YEAR = 31_536_000


def assert_success(response: httpx.Response) -> None:
    """The tracking API's only success answer, as Segment's clients expect it."""
    assert response.status_code == 200, response.text
    assert response.json() == {"success": True}


def identify(user_id: str, email: str, **traits: Any) -> dict[str, Any]:
    return {"type": "identify", "userId": user_id, "traits": {"email": email, **traits}}


def track(user_id: str, event: str, **properties: Any) -> dict[str, Any]:
    return {"type": "track", "userId": user_id, "event": event, "properties": properties}


# --- what is stored ----------------------------------------------------------------------------


def test_identify_track_and_batch_calls_are_stored_on_one_profile(
    strongroom_server: RunningServer,
) -> None:
    user, email = unique("user"), unique_email("j")
    with strongroom_server.tracking() as client:
        assert_success(
            client.post(
                "/v1/identify",
                json={
                    "userId": user,
                    "traits": {"email": email, "firstName": "Jane", "lastName": "Doe"},
                },
            )
        )
        assert_success(client.post("/v1/track", json=track(user, "Product Viewed", sku="SKU-1")))
        batch = [
            track(user, "Product Viewed", sku="SKU-2"),
            {"type": "page", "userId": user, "name": "Home"},
        ]
        assert_success(client.post("/v1/batch", json={"batch": batch}))

    dpo_view = strongroom_server.the_customer(email, role="dpo")
    assert dpo_view["traits"]["email"] == email
    assert dpo_view["traits"]["first_name"] == "Jane"
    assert dpo_view["traits"]["last_name"] == "Doe"
    assert dpo_view["masked_fields"] == []
    assert dpo_view["event_count"] == 4

    support_view = strongroom_server.the_customer(email, role="support")
    assert support_view["id"] == dpo_view["id"]
    assert support_view["traits"]["email"] == "j***@example.com"
    assert support_view["traits"]["first_name"] == "J***"
    assert {"email", "first_name", "last_name"} <= set(support_view["masked_fields"])
    assert email not in json.dumps(support_view)


def test_a_retried_batch_is_stored_once(strongroom_server: RunningServer) -> None:
    user, email = unique("user"), unique_email()
    batch = [
        identify(user, email) | {"messageId": unique("msg")},
        track(user, "Product Viewed", sku="SKU-1") | {"messageId": unique("msg")},
        track(user, "Cart Viewed") | {"messageId": unique("msg")},
    ]
    with strongroom_server.tracking() as client:
        assert_success(client.post("/v1/batch", json={"batch": batch}))
        first = strongroom_server.the_customer(email)
        assert_success(client.post("/v1/batch", json={"batch": batch}))
        assert_success(client.post("/v1/batch", json={"batch": batch[1:]}))
    again = strongroom_server.the_customer(email)
    assert first["event_count"] == 3
    assert again["event_count"] == 3
    assert again["id"] == first["id"]


def test_order_completed_creates_an_order_counted_once(strongroom_server: RunningServer) -> None:
    user, email = unique("user"), unique_email()
    first_order, second_order = unique("order"), unique("order")
    products = [
        {"sku": "SKU-TEA-01", "name": "Green tea", "price": 12.5, "quantity": 2},
        {"sku": "SKU-MUG-02", "name": "Mug", "price": 18.0, "quantity": 1},
    ]
    batch = [
        identify(user, email),
        track(user, "Order Completed", order_id=first_order, total=43.0, products=products),
        track(user, "Order Completed", order_id=second_order, total="7.25", currency="eur"),
    ]
    with strongroom_server.tracking() as client:
        assert_success(client.post("/v1/batch", json={"batch": batch}))
        # The same order sent again as a new call (a new messageId) is still one order.
        resent = track(user, "Order Completed", order_id=first_order, total=43.0)
        assert_success(client.post("/v1/track", json=resent))

    profile = strongroom_server.the_customer(email)
    assert profile["order_count"] == 2
    assert Decimal(str(profile["order_total"])) == Decimal("50.25")
    assert profile["event_count"] == 4


@pytest.mark.parametrize("where", ["basic auth username", "writeKey in the body"])
def test_the_write_key_is_accepted_as_basic_auth_or_in_the_body(
    strongroom_server: RunningServer, where: str
) -> None:
    user, email = unique("user"), unique_email()
    body = identify(user, email)
    if where == "basic auth username":
        with strongroom_server.client(auth=(strongroom_server.write_key, "")) as client:
            response = client.post("/v1/identify", json=body)
    else:
        with strongroom_server.client() as client:
            response = client.post(
                "/v1/identify", json=body | {"writeKey": strongroom_server.write_key}
            )
    assert_success(response)
    assert strongroom_server.the_customer(email)["traits"]["email"] == email


# --- what is refused ----------------------------------------------------------------------------


def _bad_calls(email: str) -> dict[str, tuple[str, bytes]]:
    """Calls a client might get wrong: (endpoint, raw body), each carrying ``email``."""

    def encode(document: Any) -> bytes:
        return json.dumps(document).encode()

    return {
        "malformed JSON": (
            "/v1/identify",
            f'{{"userId": "u-1", "traits": {{"email": "{email}"'.encode(),
        ),
        "traits as a string": (
            "/v1/identify",
            encode({"userId": "u-1", "traits": f"email={email}"}),
        ),
        "userId as a list": (
            "/v1/identify",
            encode({"userId": ["u-1"], "traits": {"email": email}}),
        ),
        "no userId or anonymousId": ("/v1/identify", encode({"traits": {"email": email}})),
        "blank userId": ("/v1/identify", encode({"userId": "  ", "traits": {"email": email}})),
        "track without event": (
            "/v1/track",
            encode({"userId": "u-1", "properties": {"email": email}}),
        ),
        "a JSON array, not an object": ("/v1/track", encode([{"userId": "u-1", "event": "x"}])),
        "batch that is not a list": (
            "/v1/batch",
            encode({"batch": identify("u-1", email)}),
        ),
        "empty batch": ("/v1/batch", encode({"batch": []})),
        "Order Completed without order_id": (
            "/v1/batch",
            encode({"batch": [identify("u-1", email), track("u-1", "Order Completed", total=5)]}),
        ),
    }


@pytest.mark.parametrize("case", list(_bad_calls("x@example.com")))
def test_invalid_calls_are_refused_with_400_and_store_nothing(
    strongroom_server: RunningServer, case: str
) -> None:
    email = unique_email()
    endpoint, body = _bad_calls(email)[case]
    with strongroom_server.tracking() as client:
        response = client.post(endpoint, content=body, headers={"Content-Type": "application/json"})
    assert_error(response, 400, "invalid_input")
    assert strongroom_server.find_by_email(email) == []


def test_an_unknown_write_key_is_refused_with_401(strongroom_server: RunningServer) -> None:
    email = unique_email()
    unknown = f"srk_{secrets.token_urlsafe(32)}"
    with strongroom_server.client(auth=(unknown, "")) as client:
        response = client.post("/v1/identify", json=identify(unique("user"), email))
    assert_error(response, 401, "unauthenticated")
    assert strongroom_server.find_by_email(email) == []


def test_a_call_without_any_write_key_is_refused_with_401(
    strongroom_server: RunningServer,
) -> None:
    with strongroom_server.client() as client:
        response = client.post("/v1/track", json=track(unique("user"), "Product Viewed"))
    assert_error(response, 401, "unauthenticated")


@pytest.mark.parametrize("valid_one", ["header", "body"])
def test_a_header_key_and_body_key_that_disagree_are_refused_with_401(
    strongroom_server: RunningServer, valid_one: str
) -> None:
    email = unique_email()
    other = f"srk_{secrets.token_urlsafe(32)}"
    header_key, body_key = (
        (strongroom_server.write_key, other)
        if valid_one == "header"
        else (other, strongroom_server.write_key)
    )
    with strongroom_server.client(auth=(header_key, "")) as client:
        response = client.post(
            "/v1/identify", json=identify(unique("user"), email) | {"writeKey": body_key}
        )
    assert_error(response, 401, "unauthenticated")
    assert strongroom_server.find_by_email(email) == []


def test_an_event_over_32_kb_is_refused_with_400(strongroom_server: RunningServer) -> None:
    user, email = unique("user"), unique_email()
    big = track(user, "Product Viewed", padding="x" * (33 * 1024))
    with strongroom_server.tracking() as client:
        single = client.post("/v1/track", json=big)
        in_batch = client.post("/v1/batch", json={"batch": [identify(user, email), big]})
    assert "32768" in assert_error(single, 400, "payload_too_large")["message"]
    assert "batch[1]" in assert_error(in_batch, 400, "payload_too_large")["message"]
    assert strongroom_server.find_by_email(email) == []


def test_a_request_over_500_kb_is_refused_with_400(strongroom_server: RunningServer) -> None:
    user, email = unique("user"), unique_email()
    # Every event is under the 32 KB limit; only the request as a whole is too large.
    events = [track(user, "Product Viewed", padding="x" * (30 * 1024)) for _ in range(20)]
    body = json.dumps({"batch": [identify(user, email), *events]}).encode()
    assert len(body) > 500 * 1024
    with strongroom_server.tracking() as client:
        response = client.post(
            "/v1/batch", content=body, headers={"Content-Type": "application/json"}
        )
        assert_error(response, 400, "payload_too_large")
        # The connection is still good for the next, smaller request.
        assert_success(client.post("/v1/batch", json={"batch": [identify(user, email)]}))
    assert strongroom_server.the_customer(email)["event_count"] == 1


def test_a_batch_with_one_invalid_message_stores_nothing(
    strongroom_server: RunningServer,
) -> None:
    user, email = unique("user"), unique_email()
    valid = [identify(user, email, firstName="Val"), track(user, "Product Viewed", sku="SKU-1")]
    invalid = {"type": "track", "userId": user}  # no event
    with strongroom_server.tracking() as client:
        response = client.post("/v1/batch", json={"batch": [*valid, invalid]})
        error = assert_error(response, 400, "invalid_input")
        assert "batch[2]" in error["message"]
        assert strongroom_server.find_by_email(email) == []
        # The valid messages alone are accepted: it was the invalid one that stopped them.
        assert_success(client.post("/v1/batch", json={"batch": valid}))
    assert strongroom_server.the_customer(email)["event_count"] == 2


# --- transport ----------------------------------------------------------------------------------


def test_plain_http_to_the_tls_port_fails(strongroom_server: RunningServer) -> None:
    plain_url = f"http://127.0.0.1:{strongroom_server.port}"
    with httpx.Client(timeout=10) as client, pytest.raises(httpx.TransportError):
        client.get(f"{plain_url}/healthz")


def _tls_1_1_only(cert: Path) -> ssl.SSLContext:
    """A client context that offers TLS 1.1 and nothing newer (OpenSSL would refuse it else)."""
    context = ssl.create_default_context(cafile=str(cert))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # TLS 1.1 is deprecated: the point
        context.minimum_version = ssl.TLSVersion.TLSv1_1
        context.maximum_version = ssl.TLSVersion.TLSv1_1
    context.set_ciphers("DEFAULT:@SECLEVEL=0")
    return context


def _handshake(context: ssl.SSLContext, port: int) -> str | None:
    with (
        socket.create_connection(("127.0.0.1", port), timeout=10) as raw,
        context.wrap_socket(raw, server_hostname="127.0.0.1") as tls,
    ):
        return tls.version()


def _version_against_a_permissive_server(client: ssl.SSLContext, cert: Path, key: Path) -> str:
    """The TLS version ``client`` agrees with a server that allows TLS 1.1 (the control)."""
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(cert, key)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        server.minimum_version = ssl.TLSVersion.TLSv1_1
    server.set_ciphers("DEFAULT:@SECLEVEL=0")
    with socket.create_server(("127.0.0.1", 0)) as listener:

        def accept_one() -> None:
            connection, _ = listener.accept()
            try:
                with server.wrap_socket(connection, server_side=True):
                    pass
            except OSError:
                connection.close()

        acceptor = threading.Thread(target=accept_one)
        acceptor.start()
        try:
            version = _handshake(client, listener.getsockname()[1])
        finally:
            acceptor.join(timeout=10)
    assert version is not None
    return version


def test_tls_1_1_is_refused(strongroom_server: RunningServer) -> None:
    client = _tls_1_1_only(strongroom_server.cert)
    # Control: this client really speaks TLS 1.1, so a refusal below is the server's doing.
    key = strongroom_server.home / "tls" / "key.pem"
    assert _version_against_a_permissive_server(client, strongroom_server.cert, key) == "TLSv1.1"
    with pytest.raises((ssl.SSLError, ConnectionResetError)):
        _handshake(client, strongroom_server.port)


def test_tls_1_2_is_accepted(strongroom_server: RunningServer) -> None:
    context = strongroom_server.ssl_context()
    context.maximum_version = ssl.TLSVersion.TLSv1_2
    with httpx.Client(verify=context, timeout=10) as client:
        response = client.get(f"{strongroom_server.base_url}/healthz")
        assert response.status_code == 200
        assert response.extensions["network_stream"].get_extra_info("ssl_object").version() == (
            "TLSv1.2"
        )


def test_a_client_that_does_not_trust_the_certificate_cannot_connect(
    strongroom_server: RunningServer,
) -> None:
    with (
        httpx.Client(verify=ssl.create_default_context(), timeout=10) as client,
        pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"),
    ):
        client.get(f"{strongroom_server.base_url}/healthz")


# --- headers and description ---------------------------------------------------------------------


def test_security_headers_are_sent_on_every_answer(strongroom_server: RunningServer) -> None:
    with strongroom_server.tracking() as client:
        answers = [
            client.get("/healthz"),
            client.post("/v1/track", json=track(unique("user"), "Product Viewed")),
            client.post("/v1/track", content=b"{", headers={"Content-Type": "application/json"}),
            client.get("/api/v1/customers", params={"email": unique_email()}),  # 401
            client.get("/no/such/path"),
        ]
    assert [answer.status_code for answer in answers] == [200, 200, 400, 401, 404]
    for answer in answers:
        hsts = answer.headers["strict-transport-security"]
        max_age = re.search(r"max-age=(\d+)", hsts)
        assert max_age is not None, hsts
        assert int(max_age.group(1)) >= ONE_YEAR
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert "server" not in answer.headers


def test_openapi_json_lists_the_paths(strongroom_server: RunningServer) -> None:
    with strongroom_server.client() as client:
        response = client.get("/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert {
        "/healthz",
        "/v1/identify",
        "/v1/track",
        "/v1/batch",
        "/api/v1/customers",
        "/api/v1/customers/{customer_id}",
    } <= set(paths)
    assert "post" in paths["/v1/batch"]
    assert "get" in paths["/api/v1/customers/{customer_id}"]
