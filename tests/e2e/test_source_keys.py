"""Write keys and signed batches end to end: the real CLI rotates, the real server refuses."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from datetime import UTC, datetime
from typing import Any

import pytest
import requests
from rudderstack.analytics import request as rudder_request  # type: ignore[import-untyped]
from rudderstack.analytics.client import Client as RudderClient  # type: ignore[import-untyped]

from .harness import RunningServer, assert_error, unique, unique_email
from .test_segment_client import close_pooled_connections
from .test_tracking_dialects import assert_success, message, still_serving

pytestmark = pytest.mark.e2e


def test_a_rotated_key_overlaps_then_expires(strongroom_server: RunningServer) -> None:
    name = unique("web")
    old = strongroom_server.cli_json("sources", "create", name, "--channel", "web")["write_key"]
    new = strongroom_server.cli_json("sources", "rotate-key", name, "--overlap", "15s")
    expires_at = datetime.fromisoformat(new["old_keys_expire_at"])
    with strongroom_server.client() as client:
        for key in (old, new["write_key"]):
            assert_success(client.post("/v1/track", json=message("track", "u") | {"writeKey": key}))
        assert datetime.now(UTC) < expires_at  # the old key worked inside the overlap
        time.sleep((expires_at - datetime.now(UTC)).total_seconds() + 0.5)
        expired = client.post("/v1/track", json=message("track", "u") | {"writeKey": old})
        assert_error(expired, 401, "unauthenticated")
        fresh = message("track", "u") | {"writeKey": new["write_key"]}
        assert_success(client.post("/v1/track", json=fresh))
    listed = {s["name"]: s for s in strongroom_server.cli_json("sources", "list")}
    keys = listed[name]["write_keys"]
    assert [k["prefix"] for k in keys] == [old[:8], new["write_key"][:8]]
    assert keys[0]["expires_at"] is not None
    assert keys[1]["expires_at"] is None
    table = strongroom_server.cli("sources", "list").stdout
    assert f"{old[:8]}... expired" in table
    assert old not in table
    assert new["write_key"] not in table


def test_a_revoked_key_is_refused_at_once(strongroom_server: RunningServer) -> None:
    name = unique("pos")
    key = strongroom_server.cli_json("sources", "create", name, "--channel", "pos")["write_key"]
    strongroom_server.cli("sources", "revoke-key", name, key[:8])
    with strongroom_server.client(auth=(key, "")) as client:
        assert_error(client.post("/v1/track", json=message("track", "u")), 401)


@pytest.fixture
def signed_source(strongroom_server: RunningServer) -> dict[str, Any]:
    name = unique("api")
    created = strongroom_server.cli_json("sources", "create", name, "--channel", "server")
    strongroom_server.cli("sources", "settings", name, "--require-signature")
    assert created["signing_secret"].startswith("srh_")
    return created


def _signed_headers(secret: str, body: bytes, timestamp: int) -> dict[str, str]:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return {
        "X-Strongroom-Timestamp": str(timestamp),
        "X-Strongroom-Signature": mac.hexdigest(),
        "Content-Type": "application/json",
    }


def test_signed_batches_good_stale_replayed_and_tampered(
    strongroom_server: RunningServer, signed_source: dict[str, Any]
) -> None:
    user, email = unique("user"), unique_email()
    identify = {"type": "identify", "userId": user, "traits": {"email": email}}
    body = json.dumps({"batch": [identify, message("track", user)]}).encode()
    secret, now = signed_source["signing_secret"], int(time.time())
    good = _signed_headers(secret, body, now)
    with strongroom_server.client(auth=(signed_source["write_key"], "")) as client:
        unsigned = client.post("/v1/batch", content=body)
        assert_error(unsigned, 401, "unauthenticated")
        assert_success(client.post("/v1/batch", content=body, headers=good))
        replayed = client.post("/v1/batch", content=body, headers=good)
        stale = client.post(
            "/v1/batch", content=body, headers=_signed_headers(secret, body, now - 400)
        )
        tampered = client.post("/v1/batch", content=body.replace(b"track", b"page"), headers=good)
    for refused in (replayed, stale, tampered):
        assert_error(refused, 401, "unauthenticated")
    assert "used before" in replayed.json()["error"]["message"]
    assert strongroom_server.the_customer(email)["event_count"] == 2
    still_serving(strongroom_server)


def test_the_rudderstack_client_delivers_many_gzipped_messages_once(
    strongroom_server: RunningServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(strongroom_server.cert))
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
    failures: list[str] = []
    users = [(unique("user"), unique_email()) for _ in range(20)]
    with requests.Session() as session:
        monkeypatch.setattr(rudder_request, "_session", session)
        client = RudderClient(
            strongroom_server.write_key,
            host=strongroom_server.base_url,
            gzip=True,
            on_error=lambda error, batch: failures.append(str(error)),
            upload_size=25,
        )
        for user, email in users:
            client.identify(user, {"email": email})
            for n in range(9):
                client.track(user, "Product Viewed", {"sku": f"SKU-{n}"})
        client.flush()
        client.shutdown()
        close_pooled_connections(session)
    assert failures == []
    for _, email in users:
        assert strongroom_server.the_customer(email)["event_count"] == 10
