"""Incident response end to end: the real CLI and TLS server.

A honeytoken read over the API opens an incident by itself; responders run it over the CLI and
the API: a playbook revokes a staff token (the next request with it fails), a failing step
stops with one line and leaves its failure on the timeline, the blast radius is written as CSV
and JSON with proofs, deadlines and a notice are drafted.
"""

from __future__ import annotations

import csv
import io
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from .harness import DataHome, RunningServer, assert_error, create_home, serving, trained_token

pytestmark = pytest.mark.e2e
WAIT_SECONDS = 20.0


@dataclass(frozen=True)
class World:
    home: DataHome
    server: RunningServer
    canary: str
    root: Path


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    root = tmp_path_factory.mktemp("incidents")
    home = create_home(root / "home")
    [canary] = home.cli_json("honeytokens", "plant", "--count", "1")
    issued = {
        role: trained_token(home, f"ir-{role}", role) for role in ("dpo", "support", "security")
    }
    with serving(home, root / "server.log") as served:
        yield World(
            home,
            RunningServer(
                base_url=served.base_url,
                port=served.port,
                cert=home.cert,
                write_key="",
                tokens={role: token["token"] for role, token in issued.items()},
                token_ids={role: token["id"] for role, token in issued.items()},
                home=home.path,
                env=home.env,
                database=home.database,
            ),
            canary["customer_id"],
            root,
        )


def _alert_incident(world: World) -> dict[str, Any] | None:
    found = [i for i in world.home.cli_json("incidents", "list") if i["alert_id"]]
    return found[0] if found else None


def test_a_honeytoken_read_opens_an_incident_with_the_alert_on_its_timeline(world: World) -> None:
    with world.server.staff("dpo") as client:
        assert client.get(f"/api/v1/customers/{world.canary}").status_code == 200
    deadline = time.monotonic() + WAIT_SECONDS
    while (incident := _alert_incident(world)) is None:
        assert time.monotonic() < deadline, "no incident was opened"
        time.sleep(0.2)
    assert (incident["status"], incident["severity"]) == ("detection", "critical")
    assert incident["principals"] == ["staff:ir-dpo"]
    shown = world.home.cli_json("incidents", "show", incident["id"])
    assert shown["timeline"][0]["kind"] == "alert"
    assert "honeytoken_access" in shown["timeline"][0]["text"]


def test_the_api_opens_and_moves_incidents_for_incidents_manage_only(world: World) -> None:
    with world.server.staff("support") as client:
        assert_error(client.get("/api/v1/incidents"), 403, "permission_denied")
    with world.server.staff("security") as client:
        created = client.post("/api/v1/incidents", json={"title": "Phished", "severity": "high"})
        assert created.status_code == 201, created.text
        incident_id = created.json()["id"]
        bad = client.post(f"/api/v1/incidents/{incident_id}/status", json={"status": "recovery"})
        assert_error(bad, 409, "conflict")
        moved = client.post(
            f"/api/v1/incidents/{incident_id}/status", json={"status": "containment"}
        )
        assert moved.json()["status"] == "containment"
        due = client.get(f"/api/v1/incidents/{incident_id}/deadlines", params={"state": "TX:300"})
        rules = {d["rule"]: d for d in due.json()}
        assert rules["gdpr_authority"]["seconds_left"] > 71 * 3600
        assert "us_tx_attorney_general" in rules


def test_a_playbook_revokes_a_staff_token_and_a_failed_step_stays_on_record(world: World) -> None:
    incident = world.home.cli_json("incidents", "open", "--title", "Stolen support token")
    failed = world.home.cli(
        "incidents",
        "playbook",
        "run",
        incident["id"],
        "compromised_staff_credential",
        "--param",
        "principal=nobody",
        check=False,
    )
    assert failed.returncode != 0
    assert "step 1 (revoke_principal)" in failed.stderr
    assert len(failed.stderr.strip().splitlines()) == 1
    timeline = world.home.cli_json("incidents", "show", incident["id"])["timeline"]
    assert timeline[-1]["detail"]["result"] == "failed"

    done = world.home.cli_json(
        "incidents",
        "playbook",
        "run",
        incident["id"],
        "compromised_staff_credential",
        "--param",
        "principal=staff:ir-support",
    )
    assert [step["result"] for step in done] == ["succeeded"] * 3
    with world.server.staff("support") as client:
        assert_error(client.get("/api/v1/customers", params={"email": "a@b.c"}), 401)


def test_blast_radius_deadlines_and_notices_from_the_cli(world: World) -> None:
    with world.server.staff("dpo") as client:  # a read to find (again, if run in order)
        assert client.get(f"/api/v1/customers/{world.canary}").status_code == 200
    incident = world.home.cli_json("incidents", "open", "--title", "Canary read")
    csv_file, json_file = world.root / "blast.csv", world.root / "blast.json"
    common = ["incidents", "blast-radius", "--principal", "staff:ir-dpo", "--since", "1d"]
    world.home.cli(*common, "--format", "csv", "--out", str(csv_file))
    world.home.cli(*common, "--incident", incident["id"], "--out", str(json_file))
    rows = list(csv.DictReader(io.StringIO(csv_file.read_text())))
    assert [row["customer_id"] for row in rows] == [world.canary]
    assert rows[0]["access"] == "read"
    assert rows[0]["proven"] == "yes"
    document = json.loads(json_file.read_text())
    assert document["customers_touched"] == 1
    assert document["checkpoint"]["tree_size"] >= max(document["customers"][0]["audit_seqs"])

    due = world.home.cli_json("incidents", "deadlines", incident["id"], "--state", "CA:600")
    assert {"gdpr_authority", "us_ca_attorney_general"} <= {d["rule"] for d in due}
    bad_rules = world.root / "rules.toml"
    bad_rules.write_text('[rules.x]\neffective = "2020-13-01"\n')
    refused = world.home.cli(
        "incidents", "deadlines", incident["id"], "--rules", str(bad_rules), check=False
    )
    assert refused.returncode != 0
    assert "rules.x" in refused.stderr

    letter = world.home.cli(
        "incidents",
        "notice",
        incident["id"],
        "--kind",
        "subjects",
        "--organisation",
        "Acme",
        "--contact",
        "dpo@acme.example",
        "--blast-radius",
        str(json_file),
        "--format",
        "html",
    ).stdout
    assert "<h2>What Information Was Involved</h2>" in letter
    kinds = [
        e["kind"] for e in world.home.cli_json("incidents", "show", incident["id"])["timeline"]
    ]
    assert kinds.count("report") == 2  # the blast radius and the notice
