"""Encrypted backup and restore of real data homes, on SQLite and PostgreSQL.

Each test makes its own databases (PostgreSQL ones named with ``psycopg.sql.Identifier`` and
dropped afterwards) and its own data homes under the test's temporary directory.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import stat
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from psycopg import sql
from sqlalchemy.engine import make_url

from strongroom.bootstrap import (
    App,
    build,
    create_backup_file,
    initialise,
    restore_backup_file,
    verify_backup_file,
)
from strongroom.collect.segment import parse_request
from strongroom.collect.sources import create_source
from strongroom.core.errors import (
    ConflictError,
    CustomerErasedError,
    DecryptionError,
    VaultError,
)
from strongroom.core.models import Actor, Channel, CustomerId, PrincipalKind
from strongroom.settings import Settings, load_settings

OPERATOR = Actor(PrincipalKind.LOCAL, "ops", role="admin")
DPO = Actor(PrincipalKind.STAFF, "dana", role="dpo")
PASSPHRASE = "correct horse battery staple"
NewDatabase = Callable[[], str | None]


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("STRONGROOM_"):
            monkeypatch.delenv(name)


def _admin(url: str, statement: sql.Composed) -> None:
    conninfo = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True) as connection:
        connection.execute(statement)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def new_database(request: pytest.FixtureRequest) -> Iterator[NewDatabase]:
    """Makes a new, empty database URL each call (None: the data home's own SQLite file)."""
    if request.param == "sqlite":
        yield lambda: None
        return
    server: str = request.getfixturevalue("postgres_url")
    made: list[str] = []

    def make() -> str:
        name = f"strongroom_backup_{secrets.token_hex(6)}"
        _admin(server, sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        made.append(name)
        return make_url(server).set(database=name).render_as_string(hide_password=False)

    try:
        yield make
    finally:
        for name in made:
            drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            _admin(server, drop)


def _settings(home: Path, database_url: str | None) -> Settings:
    return load_settings(home=home, database_url=database_url, root_passphrase=PASSPHRASE)


@contextmanager
def _opened(settings: Settings) -> Iterator[App]:
    app = build(settings, passphrase=PASSPHRASE)
    try:
        yield app
    finally:
        app.close()


def _ingest(app: App, *emails: str) -> list[CustomerId]:
    source = create_source(
        uow_factory=app.uow_factory,
        audit=app.audit,
        clock=app.clock,
        actor=OPERATOR,
        name="web",
        channel=Channel.WEB,
    ).source
    batch = [
        {"type": "identify", "userId": f"u-{e}", "messageId": e, "traits": {"email": e}}
        for e in emails
    ]
    request = parse_request(json.dumps({"batch": batch}).encode(), endpoint="batch")
    app.ingestor.ingest(source=source, request=request)
    return [app.profiles.find_customers(actor=DPO, field="email", value=e)[0].id for e in emails]


class Stages:
    def __init__(self) -> None:
        self.seen: list[str] = []

    def __call__(self, stage: str, done: int, total: int | None) -> None:
        if stage not in self.seen:
            self.seen.append(stage)


@pytest.fixture
def home_a(tmp_path: Path, new_database: NewDatabase, train_staff: Callable[..., None]) -> Settings:
    settings = _settings(tmp_path / "a", new_database())
    initialise(settings, passphrase=PASSPHRASE, actor=OPERATOR)
    with _opened(settings) as app:  # the DPO erases and reads unmasked: trained, in the backup too
        train_staff(app.uow_factory, DPO)
    return settings


def _backed_up_then_erased(settings: Settings, backup: Path) -> tuple[CustomerId, CustomerId]:
    """Two customers; a backup; then the first is erased."""
    with _opened(settings) as app:
        gone, kept = _ingest(app, "gone@example.com", "kept@example.com")
        create_backup_file(app, out=backup, actor=OPERATOR, progress=Stages())
        app.erasure.erase_customer(actor=DPO, customer_id=gone, reason="DSAR 2026-1")
    return gone, kept


def _assert_erased_and_kept(settings: Settings, gone: CustomerId, kept: CustomerId) -> None:
    with _opened(settings) as app:
        with pytest.raises(CustomerErasedError, match="was erased"):
            app.profiles.read_customer(actor=DPO, customer_id=gone)
        found = app.profiles.find_customers(actor=DPO, field="email", value="gone@example.com")
        assert found == []
        view = app.profiles.read_customer(actor=DPO, customer_id=kept)
        assert view.traits["email"] == "kept@example.com"


def test_a_backup_is_owner_only_verifies_and_holds_no_plaintext(
    home_a: Settings, tmp_path: Path
) -> None:
    backup = tmp_path / "a.backup"
    stages = Stages()
    with _opened(home_a) as app:
        _ingest(app, "needle-in-the-backup@example.com")
        report = create_backup_file(app, out=backup, actor=OPERATOR, progress=stages)
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    assert stages.seen == ["snapshot", "encrypt"]
    assert b"needle-in-the-backup" not in backup.read_bytes()
    assert b"CREATE TABLE" not in backup.read_bytes()
    verified = verify_backup_file(home_a, passphrase=PASSPHRASE, path=backup, progress=Stages())
    assert verified == report
    assert not list(backup.parent.glob("*.partial"))
    assert not list(home_a.home.glob(".strongroom-*"))  # no plaintext snapshot left behind


def test_a_customer_erased_after_a_backup_stays_erased_when_it_is_restored_in_place(
    home_a: Settings, tmp_path: Path
) -> None:
    backup = tmp_path / "a.backup"
    gone, kept = _backed_up_then_erased(home_a, backup)
    with pytest.raises(ConflictError, match="already holds data"):
        restore_backup_file(
            home_a,
            passphrase=PASSPHRASE,
            path=backup,
            force=False,
            erasure_files=[],
            actor=OPERATOR,
            progress=Stages(),
        )
    report = restore_backup_file(
        home_a,
        passphrase=PASSPHRASE,
        path=backup,
        force=True,
        erasure_files=[],
        actor=OPERATOR,
        progress=Stages(),
    )
    assert (report.receipts, report.reapplied, report.already_erased) == (1, 1, 0)
    _assert_erased_and_kept(home_a, gone, kept)


def test_a_fresh_home_with_the_root_key_and_the_ledger_restores_with_erasures_kept(
    home_a: Settings, tmp_path: Path, new_database: NewDatabase
) -> None:
    backup = tmp_path / "a.backup"
    gone, kept = _backed_up_then_erased(home_a, backup)
    home_b = _settings(tmp_path / "b", new_database())
    home_b.home.mkdir(mode=0o700)
    shutil.copy2(home_a.root_key_path, home_b.root_key_path)  # what the operator does
    report = restore_backup_file(
        home_b,
        passphrase=PASSPHRASE,
        path=backup,
        force=False,
        erasure_files=[home_a.erasure_ledger_path],
        actor=OPERATOR,
        progress=Stages(),
    )
    assert report.reapplied == 1
    _assert_erased_and_kept(home_b, gone, kept)
    assert home_b.erasure_ledger_path.read_text() == home_a.erasure_ledger_path.read_text()
    assert home_b.tls_cert_path.exists()


def test_a_restore_refuses_another_root_key_and_a_tampered_backup_changing_nothing(
    home_a: Settings, tmp_path: Path, new_database: NewDatabase
) -> None:
    backup = tmp_path / "a.backup"
    _backed_up_then_erased(home_a, backup)
    stranger = _settings(tmp_path / "stranger", new_database())
    initialise(stranger, passphrase=PASSPHRASE, actor=OPERATOR)
    with pytest.raises(VaultError, match="made under root key"):
        restore_backup_file(
            stranger,
            passphrase=PASSPHRASE,
            path=backup,
            force=True,
            erasure_files=[],
            actor=OPERATOR,
            progress=Stages(),
        )
    tampered = tmp_path / "tampered.backup"
    data = bytearray(backup.read_bytes())
    data[len(data) // 2] ^= 0x04
    tampered.write_bytes(bytes(data))
    home_b = _settings(tmp_path / "b", new_database())
    home_b.home.mkdir(mode=0o700)
    shutil.copy2(home_a.root_key_path, home_b.root_key_path)
    with pytest.raises(DecryptionError, match=r"chunk \d+ does not authenticate"):
        restore_backup_file(
            home_b,
            passphrase=PASSPHRASE,
            path=tampered,
            force=False,
            erasure_files=[],
            actor=OPERATOR,
            progress=Stages(),
        )
    assert sorted(p.name for p in home_b.home.iterdir()) == ["root.key"]
    with _opened(stranger) as app, app.uow_factory() as uow:
        assert uow.customers.count() == 0  # the stranger's own database is untouched
