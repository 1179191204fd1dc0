"""Identity resolution through the running server and the real CLI: stitch, alias, review."""

from __future__ import annotations

from typing import Any

import pytest

from .harness import RunningServer, unique, unique_email

pytestmark = pytest.mark.e2e


def _batch(server: RunningServer, *messages: dict[str, Any]) -> None:
    with server.tracking() as client:
        response = client.post("/v1/batch", json={"batch": list(messages)})
    assert response.status_code == 200, response.text


def _track(anon: str) -> dict[str, Any]:
    return {"type": "track", "event": "Product Viewed", "anonymousId": anon}


def _customer(server: RunningServer, customer_id: str) -> dict[str, Any]:
    with server.staff("dpo") as client:
        response = client.get(f"/api/v1/customers/{customer_id}")
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()
    return found


def test_anonymous_history_identify_alias_review_and_unmerge(
    strongroom_server: RunningServer,
) -> None:
    server = strongroom_server
    user, phone_anon, web_anon = unique("user"), unique("anon"), unique("anon")
    email = unique_email("i")
    _batch(server, _track(web_anon), _track(web_anon), _track(web_anon))
    _batch(
        server,
        {"type": "identify", "userId": user, "anonymousId": web_anon, "traits": {"email": email}},
    )
    person = server.the_customer(email)
    assert person["event_count"] == 4  # the anonymous history was stitched, no new customer

    _batch(server, _track(phone_anon), _track(phone_anon))
    alias_id = unique("msg")
    _batch(
        server, {"type": "alias", "previousId": phone_anon, "userId": user, "messageId": alias_id}
    )
    assert _customer(server, person["id"])["event_count"] == 7  # one customer, the whole history

    merges = [
        m
        for m in server.cli_json("customers", "merges", "--json")
        if m["target_id"] == person["id"]
    ]
    (merge,) = merges
    assert (merge["rule"], merge["message_id"], merge["active"]) == (
        "alias.previous_id",
        alias_id,
        True,
    )
    assert merge["actor"].startswith("source:")

    _batch(server, {"type": "identify", "userId": unique("other-user"), "anonymousId": web_anon})
    reviews = server.cli_json("customers", "reviews", "--json")
    (review,) = [r for r in reviews if person["id"] in (r["customer_id"], r["other_id"])]
    assert review["reason"] == "different-user-ids"
    assert review["status"] == "open"
    assert (
        _customer(server, person["id"])["event_count"] == 7
    )  # the conflicting call went elsewhere

    done = server.cli_json("customers", "unmerge", merge["id"], "--reason", "e2e ticket", "--json")
    assert done["events"] == 2
    assert _customer(server, person["id"])["event_count"] == 5
    assert _customer(server, merge["source_id"])["event_count"] == 2
    again = server.cli("customers", "unmerge", merge["id"], "--reason", "again", check=False)
    assert again.returncode != 0
    assert "undone already" in again.stderr
    rejected = server.cli_json(
        "customers", "reject-merge", review["id"], "--reason", "two people", "--json"
    )
    assert rejected["status"] == "rejected"
