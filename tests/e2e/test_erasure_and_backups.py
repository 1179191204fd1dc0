"""Erasure and backups as an operator meets them: the API, the CLI, receipts, restore."""

from __future__ import annotations

import json
import os
import secrets
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from psycopg import sql
from sqlalchemy.engine import make_url

from .harness import (
    DEFAULT_POSTGRES_URL,
    POSTGRES_URL_ENV,
    Database,
    DataHome,
    RunningServer,
    assert_error,
    base_env,
    create_home,
    libpq_url,
    postgres_unreachable,
    run_cli,
    serving,
    tls_context,
    trained_token,
    unique,
    unique_email,
)

pytestmark = pytest.mark.e2e

NewDatabase = Callable[[], Database]


def _identify(client: httpx.Client, email: str) -> None:
    response = client.post(
        "/v1/identify", json={"userId": unique("user"), "traits": {"email": email}}
    )
    assert response.status_code == 200, response.text


def _new_customer(server: RunningServer) -> dict[str, str]:
    email = unique_email("e")
    with server.tracking() as client:
        _identify(client, email)
    return {"id": server.the_customer(email)["id"], "email": email}


def _erase(server: RunningServer, customer_id: str, role: str = "dpo") -> httpx.Response:
    with server.staff(role) as client:
        return client.request(
            "DELETE", f"/api/v1/customers/{customer_id}", json={"reason": "DSAR e2e"}
        )


def _one_line_error(result: Any, *fragments: str) -> str:
    assert result.returncode != 0, result.stdout
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    return str(lines[0])


# --- erasure over the API and the receipt on the command line -----------------------------------


def test_the_dpo_erases_over_the_api_and_the_customer_is_gone_with_410(
    strongroom_server: RunningServer, tmp_path: Path
) -> None:
    customer = _new_customer(strongroom_server)
    response = _erase(strongroom_server, customer["id"])
    assert response.status_code == 200, response.text
    receipt = response.json()
    assert receipt["type"] == "strongroom-erasure-receipt"
    assert receipt["actor"] == "staff:e2e-dpo"
    assert customer["id"] not in response.text  # the receipt names a pseudonym only
    with strongroom_server.staff("dpo") as client:
        gone = client.get(f"/api/v1/customers/{customer['id']}")
    assert_error(gone, 410, "customer_erased")
    assert strongroom_server.find_by_email(customer["email"]) == []
    assert_error(_erase(strongroom_server, customer["id"]), 409, "conflict")
    file = tmp_path / "receipt.json"
    file.write_text(response.text)
    checked = strongroom_server.cli_json("keys", "verify-receipt", str(file))
    assert checked["valid"] is True
    assert checked["checks"] == {"signature": "ok", "data_home_key": "ok"}


def test_erasure_needs_customers_erase_and_a_reason(strongroom_server: RunningServer) -> None:
    customer = _new_customer(strongroom_server)
    assert_error(
        _erase(strongroom_server, customer["id"], role="support"), 403, "permission_denied"
    )
    with strongroom_server.staff("dpo") as client:
        no_reason = client.request("DELETE", f"/api/v1/customers/{customer['id']}", json={})
    assert_error(no_reason, 400, "invalid_input")
    assert strongroom_server.the_customer(customer["email"])["id"] == customer["id"]


def test_the_cli_erases_and_writes_a_receipt_that_verifies_while_a_changed_one_fails(
    strongroom_server: RunningServer, tmp_path: Path
) -> None:
    customer = _new_customer(strongroom_server)
    receipt = tmp_path / "receipt.json"
    token = strongroom_server.tokens["dpo"]
    erase = ["customers", "erase", customer["id"], "--reason", "DSAR 7", "--token", token]
    strongroom_server.cli(*erase, "--out", str(receipt))
    verified = strongroom_server.cli("keys", "verify-receipt", str(receipt))
    assert "VALID" in verified.stdout
    document = json.loads(receipt.read_text())
    document["reason"] = "DSAR 8"
    changed = tmp_path / "changed.json"
    changed.write_text(json.dumps(document))
    line = _one_line_error(
        strongroom_server.cli("keys", "verify-receipt", str(changed), check=False), "signature"
    )
    assert "NOT valid" in line
    elsewhere = create_home(tmp_path / "elsewhere")
    _one_line_error(
        elsewhere.cli("keys", "verify-receipt", str(receipt), check=False), "data_home_key"
    )
    offline = elsewhere.cli_json("keys", "verify-receipt", str(receipt), "--offline")
    assert offline["checks"] == {"signature": "ok", "data_home_key": "skipped"}


# --- backup, verify and restore on the command line ---------------------------------------------


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def new_database(request: pytest.FixtureRequest) -> Iterator[NewDatabase]:
    """Makes a new, empty database for a data home each call; PostgreSQL ones are dropped after."""
    if request.param == "sqlite":
        yield lambda: Database("sqlite", None)
        return
    base = make_url(os.environ.get(POSTGRES_URL_ENV, DEFAULT_POSTGRES_URL))
    made: list[str] = []

    def admin(statement: sql.Composed) -> None:
        try:
            connection = psycopg.connect(libpq_url(base), autocommit=True, connect_timeout=5)
        except psycopg.OperationalError as error:
            postgres_unreachable(str(error).strip().splitlines()[0] if str(error) else "no answer")
        with connection:
            connection.execute(statement)

    def make() -> Database:
        name = f"strongroom_e2e_backup_{secrets.token_hex(6)}"
        admin(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        made.append(name)
        url = base.set(drivername="postgresql+psycopg", database=name)
        return Database("postgresql", url.render_as_string(hide_password=False))

    try:
        yield make
    finally:
        for name in made:
            admin(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def _home_with_two_customers(
    path: Path, database: Database
) -> tuple[DataHome, str, dict[str, str]]:
    """A data home holding two customers; its dpo token; the customers' ids by email."""
    home = create_home(path, database)
    write_key = home.cli_json("sources", "create", "web", "--channel", "web")["write_key"]
    token = trained_token(home, "dana", "dpo")["token"]
    emails = [unique_email("g"), unique_email("k")]
    with serving(home, path.parent / f"{path.name}.log") as served:
        options: dict[str, Any] = {"verify": tls_context(home.cert), "trust_env": False}
        with httpx.Client(base_url=served.base_url, auth=(write_key, ""), **options) as client:
            for email in emails:
                _identify(client, email)
    ids = {
        email: home.cli_json("customers", "show", "--email", email, "--token", token)[0]["id"]
        for email in emails
    }
    return home, token, ids


def _restored_in_a_new_home(
    path: Path, database: Database, original: DataHome, backup: Path
) -> dict[str, str]:
    """What an operator does: a new home with the original root key, restored with its ledger."""
    path.mkdir(mode=0o700)
    shutil.copy2(original.path / "root.key", path / "root.key")
    env = base_env(path, original.env["STRONGROOM_ROOT_PASSPHRASE"], database.url)
    ledger = str(original.path / "erasures.jsonl")
    restored = json.loads(
        run_cli("backup", "restore", str(backup), "--erasures", ledger, "--json", env=env).stdout
    )
    assert (restored["receipts"], restored["reapplied"], restored["already_erased"]) == (1, 1, 0)
    return env


def test_backup_create_verify_and_restore_keep_an_erasure_made_after_the_backup(
    tmp_path: Path, new_database: NewDatabase
) -> None:
    home_a, token, ids = _home_with_two_customers(tmp_path / "a", new_database())
    gone, kept = list(ids)
    backup = tmp_path / "a.backup"
    made = home_a.cli_json("backup", "create", "--out", str(backup))
    assert made["file"] == str(backup)
    home_a.cli("customers", "erase", ids[gone], "--reason", "DSAR 9", "--token", token, "--json")
    checked = home_a.cli_json("backup", "verify", str(backup))
    assert (checked["ok"], checked["backup_id"]) == (True, made["backup_id"])

    tampered = tmp_path / "tampered.backup"
    data = bytearray(backup.read_bytes())
    data[-100] ^= 0x10
    tampered.write_bytes(bytes(data))
    _one_line_error(home_a.cli("backup", "verify", str(tampered), check=False), "chunk")

    env_b = _restored_in_a_new_home(tmp_path / "b", new_database(), home_a, backup)
    _one_line_error(
        run_cli("customers", "show", ids[gone], "--token", token, env=env_b, check=False),
        "was erased",
    )
    _one_line_error(
        run_cli("customers", "show", "--email", gone, "--token", token, env=env_b, check=False),
        "no customer",
    )
    shown = json.loads(
        run_cli("customers", "show", "--email", kept, "--token", token, "--json", env=env_b).stdout
    )
    assert shown[0]["traits"]["email"] == kept
    _one_line_error(
        run_cli("backup", "restore", str(backup), env=env_b, check=False), "already holds data"
    )
    run_cli("audit", "verify", env=env_b)
