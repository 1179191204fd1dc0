"""The audit commands as an operator and an attacker meet them: the real CLI, a real data home,
and tampering with the SQLite file through sqlite3; the server signing checkpoints by itself and
recording where requests came from."""

from __future__ import annotations

import base64
import hashlib
import json
import sqlite3
import stat
import time
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from .harness import DataHome, RunningServer, create_home, granted_token, unique_email

pytestmark = pytest.mark.e2e


def _checkpointed_home(path: Path) -> tuple[DataHome, Path]:
    """A home with a source, a token (its role grant approved: three entries more) and a
    checkpoint exported to its directory."""
    home = create_home(path)
    home.cli_json("sources", "create", "web", "--channel", "web")
    granted_token(home, "sam", "support")
    signed = home.cli_json("audit", "checkpoint")
    assert signed["exported_to"] == [f"dir:{home.path / 'audit-checkpoints'}"]
    (exported,) = sorted((home.path / "audit-checkpoints").glob("*.json"))
    return home, exported


def _tamper(home: DataHome, *statements: tuple[str, tuple[Any, ...]]) -> None:
    with sqlite3.connect(home.sqlite_file) as connection:
        for statement, parameters in statements:
            connection.execute(statement, parameters)


def _failure(home: DataHome) -> tuple[dict[str, Any], str]:
    result = home.cli("audit", "verify", "--json", check=False)
    assert result.returncode == 1, result.stdout
    assert "Traceback" not in result.stderr
    (line,) = result.stderr.strip().splitlines()
    return json.loads(result.stdout), line


def _third_party_accepts(proof: dict[str, Any]) -> bool:
    node = hashlib.sha256(b"\x00" + proof["entry"].encode()).digest()
    fn, sn = proof["leaf_index"], proof["tree_size"] - 1
    for sibling in map(bytes.fromhex, proof["inclusion_proof"]):
        if fn & 1 or fn == sn:
            node = hashlib.sha256(b"\x01" + sibling + node).digest()
            while not fn & 1 and fn:
                fn, sn = fn >> 1, sn >> 1
        else:
            node = hashlib.sha256(b"\x01" + node + sibling).digest()
        fn, sn = fn >> 1, sn >> 1
    checkpoint = dict(proof["checkpoint"])
    signature = base64.b64decode(checkpoint.pop("signature"))
    signed = (
        b"strongroom-audit-checkpoint:v1\x00"
        + json.dumps(checkpoint, sort_keys=True, separators=(",", ":")).encode()
    )
    public = Ed25519PublicKey.from_public_bytes(base64.b64decode(checkpoint["public_key"]))
    public.verify(signature, signed)
    return sn == 0 and node.hex() == checkpoint["root_hash"] == proof["root_hash"]


def test_an_operator_checkpoints_verifies_proves_and_exports(tmp_path: Path) -> None:
    home, exported = _checkpointed_home(tmp_path / "home")
    assert stat.S_IMODE(exported.stat().st_mode) == 0o600
    report = home.cli_json("audit", "verify")
    assert report["ok"] is True
    assert report["latest_exported_checkpoint"] == {"file": str(exported), "tree_size": 7}
    proof = home.cli_json("audit", "proof", "2")
    assert json.loads(proof["entry"])["action"] == "source.created"
    assert _third_party_accepts(proof)
    out = tmp_path / "siem.cef"
    home.cli("audit", "export", "--since", "2000-01-01", "--format", "cef", "--out", str(out))
    lines = out.read_text().splitlines()
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert lines[0].startswith("CEF:0|Strongroom|Strongroom|")
    assert [line.split("|")[4] for line in lines] == [
        "system.initialised",
        "source.created",
        "approval.requested",
        "approval.granted",
        "approval.used",
        "token.created",
        "audit.checkpointed",
        "audit.verified",
        "audit.proof_issued",
    ]
    jsonl = home.cli("audit", "export", "--since", "2000-01-01T00:00:00Z").stdout.splitlines()
    assert json.loads(jsonl[-1])["action"] == "audit.exported"


def test_deleting_the_newest_entries_and_moving_the_head_back_is_caught(tmp_path: Path) -> None:
    home, exported = _checkpointed_home(tmp_path / "home")
    _tamper(
        home,
        ("DELETE FROM audit_entries WHERE seq > 2", ()),
        ("DELETE FROM audit_checkpoints", ()),
        (
            "UPDATE audit_head SET seq = 2, entry_hash = "
            "(SELECT entry_hash FROM audit_entries WHERE seq = 2)",
            (),
        ),
    )
    answer, line = _failure(home)
    assert str(exported) in line
    assert "entries 3 to 7 were deleted" in line
    assert (answer["seq"], answer["checkpoint"]) == (3, str(exported))


def test_an_edited_row_is_named_by_its_number(tmp_path: Path) -> None:
    home, _ = _checkpointed_home(tmp_path / "home")
    _tamper(home, ("UPDATE audit_entries SET actor = ? WHERE seq = 3", ("local:nobody",)))
    answer, line = _failure(home)
    assert "audit entry 3 was changed" in line
    assert answer["seq"] == 3


def test_a_forged_checkpoint_file_is_named(tmp_path: Path) -> None:
    home, exported = _checkpointed_home(tmp_path / "home")
    document = json.loads(exported.read_text())
    document["tree_size"] = 2
    exported.write_text(json.dumps(document))
    answer, line = _failure(home)
    assert f"checkpoint file {exported} cannot be trusted" in line
    assert answer["checkpoint"] == str(exported)


def test_the_server_signs_checkpoints_by_itself(strongroom_server: RunningServer) -> None:
    directory = strongroom_server.home / "audit-checkpoints"
    deadline = time.monotonic() + 15
    while not list(directory.glob("*.json")) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert list(directory.glob("*.json")), "no checkpoint was exported within 15 s"
    assert strongroom_server.cli_json("audit", "verify")["ok"] is True


def test_a_staff_read_over_https_records_where_it_came_from(
    strongroom_server: RunningServer,
) -> None:
    email = unique_email()
    with strongroom_server.staff("support") as client:
        response = client.get(
            "/api/v1/customers",
            params={"email": email},
            headers={"User-Agent": "e2e-audit/1.0 " + "x" * 400},
        )
    assert response.status_code == 200, response.text
    request_id = response.headers["x-request-id"]
    lines = strongroom_server.cli(
        "audit", "export", "--since", "2000-01-01", "--format", "jsonl"
    ).stdout.splitlines()
    entries = [json.loads(line) for line in lines]
    (entry,) = [e for e in entries if e.get("origin", {}).get("request_id") == request_id]
    assert entry["action"] == "customer.search"
    assert entry["actor"] == "staff:e2e-support"
    assert entry["origin"]["ip"] == "127.0.0.1"
    assert entry["origin"]["user_agent"] == ("e2e-audit/1.0 " + "x" * 400)[:256]
