"""Incident response end to end: the real CLI and TLS server.

A honeytoken read over the API opens an incident by itself; responders run it over the CLI and
the API: a playbook revokes a staff token (the next request with it fails), a failing step
stops with one line and leaves its failure on the timeline, the blast radius is written as CSV
and JSON with proofs, deadlines and notices (Markdown, HTML, PDF) are drafted; a suspect's
reads reach the timeline with their audit sequence numbers; the API does what the CLI does.
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
from tests.pdf_text import words

from .harness import (
    DataHome,
    RunningServer,
    approved,
    assert_error,
    create_home,
    serving,
    trained_token,
)

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


def test_a_suspects_reads_after_opening_reach_the_timeline_with_their_seqs(world: World) -> None:
    incident = world.home.cli_json("incidents", "open", "--title", "Odd reads by a DPO token")
    world.home.cli("incidents", "suspect", "add", incident["id"], "staff:ir-dpo")
    with world.server.staff("dpo") as client:
        for _ in range(2):
            assert client.get(f"/api/v1/customers/{world.canary}").status_code == 200
    shown = world.home.cli_json("incidents", "show", incident["id"])
    assert shown["suspects"] == ["staff:ir-dpo"]
    copies = [e for e in shown["timeline"] if e["kind"] == "audit"]
    reads = [e for e in copies if e["detail"]["action"] == "customer.read"]
    assert len(reads) == 2
    assert {e["actor"] for e in copies} == {"staff:ir-dpo"}
    assert all(e["audit_seq"] == e["detail"]["seq"] for e in copies)
    assert reads[0]["detail"]["resources"] == 1
    assert world.canary not in json.dumps(shown)  # counts only, never the customer's id
    proof = world.home.cli_json("audit", "proof", str(reads[-1]["audit_seq"]))
    assert proof["seq"] == reads[-1]["audit_seq"]


def test_a_notice_as_pdf_is_written_once_to_a_private_file(world: World) -> None:
    incident = world.home.cli_json("incidents", "open", "--title", "Lost backup tape")
    pdf = world.root / "authority.pdf"
    notice = ["incidents", "notice", incident["id"], "--kind", "authority"]
    facts = ["--organisation", "Zoë & Søn", "--contact", "dpo@zoe.example"]
    world.home.cli(*notice, *facts, "--format", "pdf", "--out", str(pdf))
    assert pdf.stat().st_mode & 0o777 == 0o600
    text = words(pdf.read_bytes())
    assert "Personal data breach notification: Zoë & Søn" in text
    assert "(d) Measures taken or proposed" in text
    written = pdf.read_bytes()
    again = world.home.cli(*notice, *facts, "--format", "pdf", "--out", str(pdf), check=False)
    assert again.returncode != 0
    assert "exists" in again.stderr
    assert pdf.read_bytes() == written
    bad = world.home.cli(*notice, *facts, "--format", "docx", check=False)
    assert bad.returncode != 0
    assert "markdown, html, pdf" in bad.stderr


def test_the_api_does_the_incident_work_the_cli_does(world: World) -> None:
    with world.server.staff("security") as client:
        incident_id = client.post("/api/v1/incidents", json={"title": "API work"}).json()["id"]
        base = f"/api/v1/incidents/{incident_id}"
        note = client.post(f"{base}/notes", json={"text": "Token found in a paste"})
        assert (note.status_code, note.json()["kind"]) == (201, "note")
        task = client.post(f"{base}/tasks", json={"title": "Call the vendor", "owner": "rita"})
        assert task.status_code == 201
        done = client.post(f"{base}/tasks/{task.json()['id']}/done")
        assert done.json()["status"] == "done"
        assert_error(client.post(f"{base}/tasks/{task.json()['id']}/done"), 409, "conflict")
        assert_error(client.post(f"{base}/tasks/no-such-task/done"), 404, "not_found")
        role = client.put(f"{base}/roles/commander", json={"assignee": "rita"})
        assert role.json()["assignee"] == "rita"
        assert_error(client.put(f"{base}/roles/janitor", json={"assignee": "x"}), 400)
        added = client.post(f"{base}/suspects", json={"label": "vendor:acme"})
        assert added.json()["suspects"] == ["vendor:acme"]
        assert_error(client.delete(f"{base}/suspects/vendor:nobody"), 404, "not_found")
        assert client.delete(f"{base}/suspects/vendor:acme").json()["suspects"] == []
        assert_error(client.post(f"{base}/notes", json={"text": "x", "extra": 1}), 400)
        assert_error(client.post("/api/v1/incidents/nope/notes", json={"text": "x"}), 404)
        kinds = [e["kind"] for e in client.get(f"{base}/timeline").json()]
        assert kinds == ["opened", "note", "task", "task", "role", "suspect", "suspect"]
        assert len(client.get(f"{base}/timeline", params={"after": 0, "limit": 2}).json()) == 2

        query = {"organisation": "Zoë & Søn", "contact": "dpo@zoe.example"}
        for output, media in [("markdown", "text/markdown"), ("pdf", "application/pdf")]:
            got = client.get(f"{base}/notices/subjects", params={**query, "format": output})
            assert got.headers["content-type"].startswith(media), got.text
        assert "What You Can Do" in words(got.content)
        assert got.headers["content-disposition"].startswith("attachment;")
        assert_error(client.get(f"{base}/notices/press", params=query), 400, "invalid_input")
        bad_format = client.get(f"{base}/notices/report", params={**query, "format": "docx"})
        assert "markdown, html, pdf" in assert_error(bad_format, 400)["message"]
        assert_error(client.get(f"{base}/notices/report"), 400)  # organisation, contact missing


def test_an_api_playbook_run_waits_for_a_four_eyes_approval(world: World) -> None:
    world.home.cli("sources", "create", "leaky-vendor", "--channel", "web")
    with world.server.staff("security") as client:
        assert client.get("/api/v1/playbooks").json()["stolen_vendor_key"]["steps"][0]["approval"]
        incident_id = client.post("/api/v1/incidents", json={"title": "Vendor key"}).json()["id"]
        run = f"/api/v1/incidents/{incident_id}/playbooks/stolen_vendor_key/run"
        params = {"source": "leaky-vendor"}
        waiting = assert_error(client.post(run, json={"params": params}), 409)
        assert "approvals request --kind containment" in waiting["message"]
        timeline = client.get(f"/api/v1/incidents/{incident_id}/timeline").json()
        assert timeline[-1]["detail"]["result"] == "awaiting_approval"
        approval = approved(world.home, "containment", f"stolen_vendor_key:{incident_id}")
        done = client.post(run, json={"params": params, "approval": approval})
        assert [s["result"] for s in done.json()] == ["succeeded", "succeeded"], done.text
        assert "approved by bob" in client.get(f"/api/v1/incidents/{incident_id}").text
        failing = f"/api/v1/incidents/{incident_id}/playbooks/compromised_staff_credential/run"
        stopped = client.post(failing, json={"params": {"principal": "nobody"}})
        assert "step 1 (revoke_principal)" in assert_error(stopped, 409)["message"]
        last = client.get(f"/api/v1/incidents/{incident_id}/timeline").json()[-1]
        assert last["detail"]["result"] == "failed"
