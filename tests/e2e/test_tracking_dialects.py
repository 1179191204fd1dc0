"""Every dialect real clients send, over the real TLS server: paths, keys, gzip, CORS, limits."""

from __future__ import annotations

import base64
import gzip
import json
import zlib
from typing import Any

import httpx
import pytest

from .harness import RunningServer, assert_error, unique, unique_email

pytestmark = pytest.mark.e2e

SINGLE_PATHS = {
    "/v1/identify": "identify",
    "/v1/track": "track",
    "/v1/page": "page",
    "/v1/screen": "screen",
    "/v1/group": "group",
    "/v1/alias": "alias",
    "/v1/i": "identify",
    "/v1/t": "track",
    "/v1/p": "page",
    "/v1/s": "screen",
    "/v1/g": "group",
    "/v1/a": "alias",
}
BATCH_PATHS = ("/v1/batch", "/v1/import", "/v1/b", "/b")


def assert_success(response: httpx.Response) -> None:
    assert response.status_code == 200, response.text
    assert response.json() == {"success": True}


def message(kind: str, user: str) -> dict[str, Any]:
    """A valid call of ``kind`` for ``user``, with a unique messageId."""
    extra: dict[str, Any] = {
        "identify": {"traits": {"plan": "gold"}},
        "track": {"event": "Product Viewed", "properties": {"sku": "SKU-1"}},
        "page": {"name": "Home"},
        "screen": {"name": "Basket"},
        "group": {"groupId": "acme", "traits": {"name": "Acme"}},
        "alias": {"previousId": unique("anon")},
    }[kind]
    return {"type": kind, "userId": user, "messageId": unique("msg"), **extra}


def the_profile(server: RunningServer, user: str, email: str) -> dict[str, Any]:
    with server.tracking() as client:
        body = {"userId": user, "traits": {"email": email}, "messageId": unique("msg")}
        assert_success(client.post("/v1/identify", json=body))
    return server.the_customer(email)


def still_serving(server: RunningServer) -> None:
    """A good request succeeds: the server survived whatever came before."""
    with server.tracking() as client:
        assert_success(client.post("/v1/track", json=message("track", unique("user"))))


@pytest.mark.parametrize("path", list(SINGLE_PATHS))
def test_every_single_call_path_stores_its_call(
    strongroom_server: RunningServer, path: str
) -> None:
    user, email = unique("user"), unique_email()
    with strongroom_server.tracking() as client:
        assert_success(client.post(path, json=message(SINGLE_PATHS[path], user)))
    assert the_profile(strongroom_server, user, email)["event_count"] == 2


@pytest.mark.parametrize("path", BATCH_PATHS)
def test_every_batch_path_stores_every_type_once(
    strongroom_server: RunningServer, path: str
) -> None:
    user, email = unique("user"), unique_email()
    batch = [message(kind, user) for kind in ("identify", "track", "page", "screen", "group")]
    body = json.dumps({"batch": batch, "writeKey": strongroom_server.write_key})
    with strongroom_server.client() as client:
        # analytics.js sends text/plain to avoid a preflight; retried, it is stored once.
        for _ in range(2):
            answer = client.post(path, content=body, headers={"Content-Type": "text/plain"})
            assert_success(answer)
    assert the_profile(strongroom_server, user, email)["event_count"] == 6


def _basic(key: str, *, colon: bool) -> str:
    raw = f"{key}:" if colon else key
    return "Basic " + base64.b64encode(raw.encode()).decode()


@pytest.mark.parametrize("variant", ["basic", "basic without colon", "bearer", "body"])
def test_the_write_key_is_read_from_basic_bearer_or_body(
    strongroom_server: RunningServer, variant: str
) -> None:
    key, user = strongroom_server.write_key, unique("user")
    body: dict[str, Any] = message("track", user)
    headers = {
        "basic": {"Authorization": _basic(key, colon=True)},
        "basic without colon": {"Authorization": _basic(key, colon=False)},
        "bearer": {"Authorization": f"Bearer {key}"},
        "body": {},
    }[variant]
    if variant == "body":
        body["writeKey"] = key
    with strongroom_server.client() as client:
        assert_success(client.post("/v1/track", json=body, headers=headers))


def test_keys_that_disagree_are_refused(strongroom_server: RunningServer) -> None:
    body = message("track", unique("user")) | {"writeKey": "srk_other"}
    with strongroom_server.client() as client:
        answer = client.post(
            "/v1/track",
            json=body,
            headers={"Authorization": f"Bearer {strongroom_server.write_key}"},
        )
    assert_error(answer, 401, "unauthenticated")


def test_gzip_bodies_are_accepted_and_stored_once(strongroom_server: RunningServer) -> None:
    user, email = unique("user"), unique_email()
    batch = [message("track", user) for _ in range(20)]
    packed = gzip.compress(json.dumps({"batch": batch}).encode())
    with strongroom_server.tracking() as client:
        for _ in range(2):
            answer = client.post("/v1/batch", content=packed, headers={"Content-Encoding": "gzip"})
            assert_success(answer)
    assert the_profile(strongroom_server, user, email)["event_count"] == 21


def _bomb() -> bytes:
    squeezer = zlib.compressobj(9, zlib.DEFLATED, 31)
    padding = b" " * (1024 * 1024)
    parts = [squeezer.compress(b'{"batch": [' + padding)]
    parts += [squeezer.compress(padding) for _ in range(49)]  # 50 MB of spaces
    return b"".join(parts) + squeezer.flush()


def _bad_bodies() -> dict[str, tuple[bytes, dict[str, str], int, str]]:
    good = json.dumps({"batch": [message("track", "u-1")]}).encode()
    deep = (
        b'{"batch": [{"type": "track", "userId": "u", "event": "e", "properties": '
        + (b'{"a": ' * 200)
        + b"1"
        + b"}" * 200
        + b"}]}"
    )
    gz = {"Content-Encoding": "gzip"}
    return {
        "truncated gzip": (gzip.compress(good)[:-12], gz, 400, "invalid_input"),
        "not gzip at all": (good, gz, 400, "invalid_input"),
        "a gzip bomb": (_bomb(), gz, 400, "payload_too_large"),
        "invalid UTF-8": (
            b'{"batch": [{"type": "track", "event": "\xff\xfe"}]}',
            {},
            400,
            "invalid_input",
        ),
        "a JSON nesting bomb": (b"[" * 100_000 + b"]" * 100_000, {}, 400, "invalid_input"),
        "deep properties": (deep, {}, 400, "invalid_input"),
        "a huge string": (
            json.dumps({"batch": [message("track", "u") | {"event": "x" * 40_000}]}).encode(),
            {},
            400,
            "invalid_input",
        ),
        "traits of the wrong type": (
            json.dumps({"userId": "u", "type": "identify", "traits": ["email"]}).encode(),
            {},
            400,
            "invalid_input",
        ),
        "an unknown encoding": (good, {"Content-Encoding": "br"}, 400, "invalid_input"),
    }


@pytest.mark.parametrize("case", list(_bad_bodies()))
def test_bad_input_gets_a_clear_error_and_the_server_keeps_serving(
    strongroom_server: RunningServer, case: str
) -> None:
    body, headers, status, code = _bad_bodies()[case]
    with strongroom_server.tracking() as client:
        answer = client.post("/v1/batch", content=body, headers=headers)
    error = assert_error(answer, status)
    assert error["code"] in {code, "payload_too_large", "invalid_input"}
    still_serving(strongroom_server)


def test_the_settings_document_answers_for_a_live_key_only(
    strongroom_server: RunningServer,
) -> None:
    with strongroom_server.client() as client:
        good = client.get(f"/v1/projects/{strongroom_server.write_key}/settings")
        bad = client.get("/v1/projects/srk_nobody/settings")
    assert good.status_code == 200, good.text
    segment = good.json()["integrations"]["Segment.io"]
    assert segment["apiKey"] == strongroom_server.write_key
    assert segment["apiHost"] == f"127.0.0.1:{strongroom_server.port}/v1"
    assert segment["protocol"] == "https"
    assert_error(bad, 401, "unauthenticated")


def _web_source(server: RunningServer, *origins: str, rate: int | None = None) -> str:
    name = unique("web")
    key: str = server.cli_json("sources", "create", name, "--channel", "web")["write_key"]
    args = [arg for origin in origins for arg in ("--allow-origin", origin)]
    if rate is not None:
        args += ["--rate-limit", str(rate)]
    if args:
        server.cli("sources", "settings", name, *args)
    return key


def test_cors_preflight_and_origin_checks(strongroom_server: RunningServer) -> None:
    shop, other = f"https://{unique('shop')}.example", f"https://{unique('other')}.example"
    key = _web_source(strongroom_server, shop)
    _web_source(strongroom_server, other)
    asks = {"Access-Control-Request-Method": "POST"}
    with strongroom_server.client() as client:
        allowed = client.options("/v1/t", headers=asks | {"Origin": shop})
        refused = client.options("/v1/t", headers=asks | {"Origin": "https://evil.example"})
        body = message("track", unique("user")) | {"writeKey": key}
        from_shop = client.post("/v1/t", json=body, headers={"Origin": shop})
        from_other = client.post("/v1/t", json=body, headers={"Origin": other})
    assert allowed.status_code == 204
    assert allowed.headers["access-control-allow-origin"] == shop
    allowed_headers = allowed.headers["access-control-allow-headers"].lower()
    assert {"authorization", "content-type", "x-retry-count"} <= {
        h.strip() for h in allowed_headers.split(",")
    }
    assert_error(refused, 403)
    assert "access-control-allow-origin" not in refused.headers
    assert_success(from_shop)
    assert from_shop.headers["access-control-allow-origin"] == shop
    assert_error(from_other, 403, "permission_denied")  # allowed by a source, not by this one
    still_serving(strongroom_server)


def test_a_source_over_its_rate_limit_gets_429_with_retry_after(
    strongroom_server: RunningServer,
) -> None:
    key = _web_source(strongroom_server, rate=2)
    with strongroom_server.client(auth=(key, "")) as client:
        answers = [
            client.post("/v1/track", json=message("track", unique("user"))) for _ in range(8)
        ]
    limited = [a for a in answers if a.status_code == 429]
    assert limited, [a.status_code for a in answers]
    assert_error(limited[0], 429, "rate_limited")
    assert int(limited[0].headers["retry-after"]) >= 1
    assert all(a.status_code in {200, 429} for a in answers)
    still_serving(strongroom_server)  # another source is not limited
