"""``strongroom catalog`` after real ingest, and ``strongroom scan`` with no data home at all."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from .harness import RunningServer, base_env, strongroom_executable, unique

pytestmark = pytest.mark.e2e


def test_the_catalog_lists_fields_seen_with_their_protection(
    strongroom_server: RunningServer,
) -> None:
    user = unique("cat-user")
    message = {
        "type": "track",
        "userId": user,
        "event": "Catalog Checked",
        "properties": {"catalog_probe_sku": "A1", "catalog_probe_note": "call me after six"},
        "context": {"ip": "198.51.100.23", "locale": "fr-FR"},
    }
    with strongroom_server.tracking() as client:
        response = client.post("/v1/batch", json={"batch": [message]})
    assert response.status_code == 200, response.text
    rows = {
        (r["scope"], r["field"], r["data_class"]): r for r in strongroom_server.cli_json("catalog")
    }
    probe = rows[("property", "catalog_probe_sku", "behavioral")]
    assert (probe["protection"], probe["storage"]) == ("plain", "events.properties")
    assert probe["records"] >= 1
    note = rows[("property", "catalog_probe_note", "unclassified")]
    assert (note["protection"], note["storage"]) == ("sealed-unclassified", "events.sealed")
    ip = rows[("context", "ip", "pii")]
    assert (ip["protection"], ip["storage"]) == ("encrypted", "events.sealed")
    table = strongroom_server.cli("catalog").stdout
    assert "catalog_probe_sku" in table
    assert "events.sealed" in table


def test_scan_needs_no_data_home_and_reports_bad_lines(tmp_path: Path) -> None:
    env = base_env(tmp_path / "no-home-here", passphrase=None)
    lines = [
        json.dumps({"text": "write to ann@example.org or call +44 20 7946 0958"}),
        "not json at all",
        json.dumps({"text": "card 4111 1111 1111 1112 fails Luhn"}),
        json.dumps({"txt": "wrong key"}),
    ]
    completed = subprocess.run(
        [strongroom_executable(), "scan", "--jsonl"],
        input="\n".join(lines) + "\n",
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 1, completed.stderr
    answers = [json.loads(line) for line in completed.stdout.splitlines()]
    assert answers[0] == {
        "spans": [
            {"start": 9, "end": 24, "type": "email", "score": 0.9},
            {"start": 33, "end": 49, "type": "phone", "score": 0.75},
        ]
    }
    assert answers[1]["line"] == 2
    assert "not JSON" in answers[1]["error"]
    assert answers[2] == {"spans": []}
    assert answers[3]["line"] == 4
    assert "2 of 4 lines" in completed.stderr
    assert not (tmp_path / "no-home-here").exists()
