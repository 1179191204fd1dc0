"""The policy engine through the running server: reveal, the training gate, volume limits,
mass assignment and unknown purposes, and four eyes on the command line."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from strongroom.access.permissions import BUILTIN_POLICY

from .approvals import approved, as_person, granted_token
from .harness import assert_error, create_home, run_cli, serving, tls_context, unique

pytestmark = pytest.mark.e2e

LIMIT = 3


def test_support_reveals_one_field_only_when_trained_and_within_its_volume(tmp_path: Path) -> None:
    home = create_home(tmp_path / "home")
    policy = tmp_path / "policy.toml"
    policy.write_text(
        BUILTIN_POLICY.replace("volume_per_hour = 500", f"volume_per_hour = {LIMIT}", 1)
    )
    home.env["STRONGROOM_POLICY_FILE"] = str(policy)
    write_key = home.cli_json("sources", "create", unique("src"), "--channel", "web", "--json")[
        "write_key"
    ]
    sue = granted_token(home, "sue", "support")
    with serving(home, tmp_path / "server.log") as server:
        common = {"base_url": server.base_url, "verify": tls_context(home.cert), "timeout": 30.0}
        with (
            httpx.Client(auth=(write_key, ""), **common) as tracking,
            httpx.Client(headers={"Authorization": f"Bearer {sue['token']}"}, **common) as staff,
        ):
            traits = {"email": "jane.policy@example.com"}
            sent = tracking.post("/v1/identify", json={"userId": "u1", "traits": traits})
            assert sent.status_code == 200, sent.text
            [found] = staff.get("/api/v1/customers", params=traits).json()["items"]
            customer = found["id"]
            assert found["traits"]["email"] == "j***@example.com"  # 1 record read

            reveal = f"/api/v1/customers/{customer}/reveal"
            body = {"field": "email", "reason": "ticket 4711: wrong address"}
            assert_error(staff.post(reveal, json=body), 403, "training_required")

            for kind in ("security", "policy-ack"):
                home.cli("staff", "training", "record", "sue", "--kind", kind)
            shown = staff.post(reveal, json=body)  # 2 records
            assert shown.status_code == 200, shown.text
            assert shown.json()["value"] == "jane.policy@example.com"

            smuggled = staff.post(reveal, json={**body, "role": "dpo"})
            assert_error(smuggled, 400, "invalid_input")
            odd = staff.get(f"/api/v1/customers/{customer}", headers={"X-Strongroom-Purpose": "x"})
            assert "unknown purpose" in assert_error(odd, 400, "invalid_input")["message"]

            assert staff.get(f"/api/v1/customers/{customer}").status_code == 200  # 3 records
            over = staff.get(f"/api/v1/customers/{customer}")
            assert_error(over, 429, "volume_limited")
            assert int(over.headers["retry-after"]) >= 1


def test_key_rotation_needs_a_second_persons_approval(tmp_path: Path) -> None:
    home = create_home(tmp_path / "home")
    refused = home.cli("keys", "rotate", "--kind", "field-kek", check=False)
    assert refused.returncode != 0
    assert "second person" in refused.stderr + refused.stdout

    request = ("approvals", "request", "--kind", "key_rotation", "--payload", "field-kek")
    own = home.cli_json(*request, "--json")
    mine = run_cli("approvals", "approve", own["id"], env=home.env, check=False)
    assert mine.returncode != 0
    assert "own request" in mine.stderr + mine.stdout

    wrong = approved(home, "key_rotation", "blind-index")
    args = ("keys", "rotate", "--kind", "field-kek")
    mismatch = run_cli(*args, "--approval", wrong, env=as_person(home.env, "alice"), check=False)
    assert mismatch.returncode != 0

    good = approved(home, "key_rotation", "field-kek")
    run_cli(*args, "--approval", good, env=as_person(home.env, "alice"))
    again = run_cli(*args, "--approval", good, env=as_person(home.env, "alice"), check=False)
    assert "used already" in again.stderr + again.stdout


def test_a_role_grant_needs_a_second_persons_approval_and_the_log_shows_both(
    tmp_path: Path,
) -> None:
    home = create_home(tmp_path / "home")
    alice, bob = as_person(home.env, "alice"), as_person(home.env, "bob")
    create = ("tokens", "create", "--name", "sam", "--role", "support", "--json")
    refused = run_cli(*create, env=alice, check=False)
    assert refused.returncode == 2
    assert "approvals request --kind role_grant --payload role_grant:sam:support" in refused.stdout
    staff = run_cli("staff", "create", "sam", "--role", "support", env=alice, check=False)
    assert staff.returncode == 2
    assert home.cli_json("staff", "list") == []

    grant = approved(home, "role_grant", "role_grant:sam:support")
    for wrong in (("--name", "sam", "--role", "dpo"), ("--name", "samuel", "--role", "support")):
        mismatch = run_cli("tokens", "create", *wrong, "--approval", grant, env=alice, check=False)
        assert mismatch.returncode != 0
        assert "different role_grant" in mismatch.stderr
    by_approver = run_cli(*create, "--approval", grant, env=bob, check=False)
    assert "second person" in by_approver.stderr

    issued = json.loads(run_cli(*create, "--approval", grant, env=alice).stdout)
    assert issued["token"].startswith("srt_")
    again = run_cli(*create, env=alice)  # sam holds the role now: a further token grants nothing
    assert json.loads(again.stdout)["token"] != issued["token"]

    lines = home.cli("audit", "export", "--since", "2000-01-01").stdout.splitlines()
    steps = [
        (entry["action"], entry["actor"], entry["outcome"])
        for entry in map(json.loads, lines)
        if entry["action"].startswith(("approval.", "token."))
    ]
    denied = ("approval.refused", "local:alice", "denied")
    assert steps == [
        denied,  # tokens create without --approval
        denied,  # staff create without --approval
        ("approval.requested", "local:alice", "success"),
        ("approval.granted", "local:bob", "success"),
        denied,  # for another role
        denied,  # for another name
        ("approval.refused", "local:bob", "denied"),  # the approver acting
        ("approval.used", "local:alice", "success"),
        ("token.created", "local:alice", "success"),
        ("token.created", "local:alice", "success"),  # the further token: no approval
    ]
