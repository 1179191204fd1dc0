"""Safe file intake end to end: the real TLS server, a real clamd, the real CLI.

One data home for the module, scanning with the shipped YARA rules and a clamd of its own; the
last test stops that clamd and sees every upload refused.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from .harness import (
    DataHome,
    assert_error,
    create_home,
    run_cli,
    serving,
    tls_context,
    trained_token,
    unique,
    unique_email,
)

pytestmark = pytest.mark.e2e
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
MAX_UPLOAD = 200_000


@dataclass
class IntakeServer:
    home: DataHome
    base_url: str
    tokens: dict[str, str]
    write_key: str
    clamd: Any

    def client(self, role: str | None = None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {self.tokens[role]}"} if role else {}
        return httpx.Client(
            base_url=self.base_url,
            verify=tls_context(self.home.cert),
            headers=headers,
            timeout=30.0,
            trust_env=False,
        )

    def cli(self, *args: str, role: str | None = None, check: bool = True) -> Any:
        env = dict(self.home.env)
        if role is not None:
            env["STRONGROOM_TOKEN"] = self.tokens[role]
        return run_cli(*args, env=env, check=check)

    def audit_actions(self) -> list[dict[str, Any]]:
        out = self.cli("audit", "export", "--since", "2000-01-01T00:00:00").stdout
        return [json.loads(line) for line in out.splitlines() if line.strip()]


@pytest.fixture(scope="module")
def intake_server(
    tmp_path_factory: pytest.TempPathFactory, clamd_factory
) -> Iterator[IntakeServer]:
    clamd = clamd_factory()
    root = tmp_path_factory.mktemp("e2e-intake")
    home = create_home(root / "home")
    home.env["STRONGROOM_CLAMD_ADDRESS"] = str(clamd.socket)
    home.env["STRONGROOM_MAX_UPLOAD_BYTES"] = str(MAX_UPLOAD)
    write_key = home.cli_json("sources", "create", "intake-web", "--channel", "web")["write_key"]
    tokens = {
        role: trained_token(home, unique(role), role)["token"]
        for role in ("support", "dpo", "security")
    }
    with serving(home, root / "server.log") as served:
        yield IntakeServer(home, served.base_url, tokens, write_key, clamd)


@pytest.fixture(scope="module")
def customer_id(intake_server: IntakeServer) -> str:
    email = unique_email()
    with intake_server.client() as client:
        client.auth = (intake_server.write_key, "")
        sent = client.post("/v1/identify", json={"userId": unique("u"), "traits": {"email": email}})
        assert sent.status_code == 200, sent.text
    with intake_server.client("dpo") as client:
        found = client.get("/api/v1/customers", params={"email": email})
    return str(found.json()["items"][0]["id"])


def _upload(
    server: IntakeServer, role: str, customer: str, name: str, data: bytes
) -> httpx.Response:
    with server.client(role) as client:
        return client.post(
            f"/api/v1/customers/{customer}/documents", params={"filename": name}, content=data
        )


def test_a_document_is_stored_sealed_listed_and_downloaded_with_an_audit_entry(
    intake_server: IntakeServer, customer_id: str
) -> None:
    stored = _upload(intake_server, "support", customer_id, "../../passport scan.pdf", PDF)
    assert stored.status_code == 201, stored.text
    document = stored.json()
    assert document["filename"] == f"document-{document['id']}.pdf"
    sealed = list((intake_server.home.path / "documents").iterdir())
    assert [p.name for p in sealed] == [f"{document['id']}.sealed"]
    assert b"Catalog" not in sealed[0].read_bytes()
    with intake_server.client("dpo") as client:
        listed = client.get(f"/api/v1/customers/{customer_id}/documents").json()["items"]
        body = client.get(f"/api/v1/customers/{customer_id}/documents/{document['id']}")
    assert [item["id"] for item in listed] == [document["id"]]
    assert body.status_code == 200
    assert body.content == PDF
    assert body.headers["content-disposition"].startswith("attachment")
    actions = [entry["action"] for entry in intake_server.audit_actions()]
    assert {"document.uploaded", "document.downloaded", "intake.admitted"} <= set(actions)


def test_support_may_upload_but_not_download(intake_server: IntakeServer, customer_id: str) -> None:
    with intake_server.client("support") as client:
        listed = client.get(f"/api/v1/customers/{customer_id}/documents")
    assert_error(listed, 403, "permission_denied")
    assert_error(_upload(intake_server, "security", customer_id, "a.pdf", PDF), 403)


def test_eicar_in_a_csv_is_refused_quarantined_alerted_and_released_only_by_security(
    intake_server: IntakeServer, customer_id: str, eicar: bytes, tmp_path: Path
) -> None:
    data = b"id,note\n1," + eicar + b"\n"
    refused = _upload(intake_server, "dpo", customer_id, "case.csv", data)
    error = assert_error(refused, 422, "malware_detected")
    assert "quarantined" in error["message"]
    items = json.loads(intake_server.cli("quarantine", "list", "--json", role="security").stdout)
    item = next(i for i in items if i["original_name"] == "case.csv")
    assert item["reason"] == "malware_detected"
    alerts = json.loads(intake_server.cli("alerts", "list", "--json").stdout)
    assert any(a["detector"] == "file_quarantined" for a in alerts)
    assert "intake.quarantined" in [e["action"] for e in intake_server.audit_actions()]
    denied = intake_server.cli(
        "quarantine",
        "release",
        item["id"],
        "--reason",
        "case 9",
        "--out",
        str(tmp_path / "x"),
        role="dpo",
        check=False,
    )
    assert denied.returncode != 0
    assert "may not" in denied.stderr
    out = tmp_path / "released.csv"
    intake_server.cli(
        "quarantine",
        "release",
        item["id"],
        "--reason",
        "case 9",
        "--out",
        str(out),
        role="security",
    )
    assert out.read_bytes() == data
    purged = intake_server.cli("quarantine", "purge", item["id"], "--json", role="security")
    assert json.loads(purged.stdout) == {"purged": [item["id"]]}


@pytest.mark.parametrize(
    ("name", "data", "status", "code"),
    [
        ("scan.pdf", b"MZ\x90\x00" + bytes(300), 415, "unsupported_file_type"),
        ("tool.exe", b"whatever", 415, "unsupported_file_type"),
        ("big.pdf", PDF + bytes(MAX_UPLOAD), 413, "file_too_large"),
    ],
)
def test_bad_files_get_a_specific_refusal(
    intake_server: IntakeServer, customer_id: str, name: str, data: bytes, status: int, code: str
) -> None:
    assert_error(_upload(intake_server, "dpo", customer_id, name, data), status, code)


def test_after_erasure_the_documents_cannot_be_read(
    intake_server: IntakeServer, tmp_path: Path
) -> None:
    email = unique_email()
    with intake_server.client() as client:
        client.auth = (intake_server.write_key, "")
        client.post("/v1/identify", json={"userId": unique("u"), "traits": {"email": email}})
    with intake_server.client("dpo") as client:
        customer = client.get("/api/v1/customers", params={"email": email}).json()["items"][0]["id"]
    document = _upload(intake_server, "dpo", customer, "id.pdf", PDF).json()
    intake_server.cli("customers", "erase", customer, "--reason", "dsar 1", role="dpo")
    with intake_server.client("dpo") as client:
        gone = client.get(f"/api/v1/customers/{customer}/documents/{document['id']}")
    assert_error(gone, 410, "customer_erased")
    sealed = intake_server.home.path / "documents" / f"{document['id']}.sealed"
    assert sealed.exists()
    assert b"Catalog" not in sealed.read_bytes()


def test_zz_a_stopped_clamd_means_503_and_nothing_stored(
    intake_server: IntakeServer, customer_id: str
) -> None:
    intake_server.clamd.stop()
    before = len(list((intake_server.home.path / "documents").iterdir()))
    refused = _upload(intake_server, "dpo", customer_id, "id.pdf", PDF)
    assert_error(refused, 503, "scanner_unavailable")
    assert len(list((intake_server.home.path / "documents").iterdir())) == before
