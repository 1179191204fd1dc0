"""Backup, verify and restore on the fakes: the store is pickled where a real one is dumped."""

from __future__ import annotations

import io
import json
import os
import pickle
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, BinaryIO

import pytest

from strongroom.access.erasure import ErasureService
from strongroom.access.profiles import ProfileReader
from strongroom.adapters.memory import MemoryUnitOfWorkFactory
from strongroom.audit.service import AuditLog, verify_audit_log
from strongroom.collect.segment import parse_request
from strongroom.collect.service import Ingestor
from strongroom.collect.sources import create_source
from strongroom.core.errors import (
    ConflictError,
    CustomerErasedError,
    DecryptionError,
    InvalidInputError,
    VaultError,
)
from strongroom.core.models import Actor, Channel, CustomerId, PrincipalKind
from strongroom.core.ports import UnitOfWorkFactory
from strongroom.core.trail import AuditAction
from strongroom.vault.backups import (
    RestoreReport,
    create_backup,
    restore_backup,
    verify_backup,
)
from strongroom.vault.keyring import Keyring
from strongroom.vault.receipts import sign_receipt
from strongroom.vault.rootkey import LocalRootKey
from strongroom.vault.service import SubjectVault

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
OPERATOR = Actor(PrincipalKind.LOCAL, "ops", role="admin")
DPO = Actor(PrincipalKind.STAFF, "dana", role="dpo")


class FixedClock:
    def now(self) -> datetime:
        return NOW


@dataclass
class MemoryLedger:
    lines: list[str] = field(default_factory=list)
    location: str = "memory"

    def append(self, receipt: str) -> None:
        self.lines.append(receipt)

    def append_many(self, receipts: Sequence[str]) -> None:
        for receipt in receipts:
            self.append(receipt)

    def receipts(self) -> list[tuple[int, str]]:
        return list(enumerate(self.lines, start=1))


@dataclass
class PickledSnapshots:
    """A fake DatabaseSnapshots over a fake store: a snapshot is the pickled store."""

    database: MemoryUnitOfWorkFactory
    kind: str = "sqlite"
    staged: dict[str, MemoryUnitOfWorkFactory] = field(default_factory=dict)

    @contextmanager
    def snapshot(self, progress: Callable[[str, int, int | None], None]) -> Iterator[BinaryIO]:
        yield io.BytesIO(pickle.dumps(self.database.store))

    def has_data(self) -> bool:
        with self.database() as uow:
            return bool(uow.data_keys.all())

    def restore(self, write: Any, prepare: Any, *, progress: Any) -> None:
        stream = io.BytesIO()
        write(stream)
        self.staged["staged"] = MemoryUnitOfWorkFactory(pickle.loads(stream.getvalue()))
        prepare("staged")
        self.database.store = self.staged["staged"].store  # live only once prepared


@dataclass
class Home:
    root: LocalRootKey
    keyring: Keyring
    factory: MemoryUnitOfWorkFactory
    ledger: MemoryLedger
    profiles: ProfileReader
    erasure: ErasureService
    ingestor: Ingestor

    def reader(self) -> ProfileReader:
        """Profile reads with the keyring the store holds now (after a restore: the restored)."""
        with self.factory() as uow:
            keyring = Keyring.open(self.root, uow.data_keys.all())
        vault = SubjectVault(keyring)
        return ProfileReader(uow_factory=self.factory, vault=vault, audit=AuditLog(FixedClock()))


def _home(root: LocalRootKey | None = None) -> Home:
    root = root or LocalRootKey(os.urandom(32))
    factory = MemoryUnitOfWorkFactory()
    with factory() as uow:
        uow.data_keys.add(Keyring.create_initial(root, now=NOW))
        keyring = Keyring.open(root, uow.data_keys.all())
        uow.commit()
    audit, ledger, vault = AuditLog(FixedClock()), MemoryLedger(), SubjectVault(keyring)
    return Home(
        root=root,
        keyring=keyring,
        factory=factory,
        ledger=ledger,
        profiles=ProfileReader(uow_factory=factory, vault=vault, audit=audit),
        erasure=ErasureService(
            uow_factory=factory, keys=keyring, audit=audit, ledger=ledger, clock=FixedClock()
        ),
        ingestor=Ingestor(uow_factory=factory, vault=vault, audit=audit, clock=FixedClock()),
    )


def _ingest(home: Home, *emails: str) -> list[CustomerId]:
    source = create_source(
        uow_factory=home.factory,
        audit=AuditLog(FixedClock()),
        clock=FixedClock(),
        actor=OPERATOR,
        name=f"web-{len(emails)}-{os.urandom(2).hex()}",
        channel=Channel.WEB,
    ).source
    batch = [
        {"type": "identify", "userId": e, "messageId": e, "traits": {"email": e}} for e in emails
    ]
    request = parse_request(json.dumps({"batch": batch}).encode(), endpoint="batch")
    home.ingestor.ingest(source=source, request=request)
    return [home.profiles.find_customers(actor=DPO, field="email", value=e)[0].id for e in emails]


def _backup(home: Home) -> bytes:
    sink = io.BytesIO()
    create_backup(
        uow_factory=home.factory,
        keys=home.keyring,
        root_key=home.root,
        snapshots=PickledSnapshots(home.factory),
        sink=sink,
        audit=AuditLog(FixedClock()),
        actor=OPERATOR,
        clock=FixedClock(),
        progress=lambda *_: None,
    )
    return sink.getvalue()


def _restore(
    blob: bytes,
    target: Home,
    *,
    home_ledger: MemoryLedger | None = None,
    extra: tuple[MemoryLedger, ...] = (),
    force: bool = False,
    kind: str = "sqlite",
) -> RestoreReport:
    snapshots = PickledSnapshots(target.factory, kind=kind)

    @contextmanager
    def open_store(url: str) -> Iterator[tuple[UnitOfWorkFactory, Keyring]]:
        staged = snapshots.staged[url]
        with staged() as uow:
            yield staged, Keyring.open(target.root, uow.data_keys.all())

    return restore_backup(
        root_key=target.root,
        source=io.BytesIO(blob),
        snapshots=snapshots,
        home_ledger=home_ledger if home_ledger is not None else target.ledger,
        extra_ledgers=extra,
        force=force,
        open_store=open_store,
        audit=AuditLog(FixedClock()),
        actor=OPERATOR,
        clock=FixedClock(),
        progress=lambda *_: None,
    )


def _fresh_target(source: Home) -> Home:
    """A new, empty data home holding the source home's root key (copied by the operator)."""
    target = _home(source.root)
    target.factory.store = MemoryUnitOfWorkFactory().store
    return target


def test_a_backup_verifies_and_its_creation_is_audited() -> None:
    home = _home()
    _ingest(home, "a@example.com")
    blob = _backup(home)
    report = verify_backup(root_key=home.root, source=io.BytesIO(blob), progress=lambda *_: None)
    assert (report.database, report.created_at, report.root_key_id) == (
        "sqlite",
        NOW,
        home.root.key_id,
    )
    with home.factory() as uow:
        last = list(uow.audit.scan())[-1]
    assert last.draft.action is AuditAction.BACKUP_CREATED
    assert last.draft.resource_ids == (report.backup_id,)


def test_a_backup_does_not_open_with_another_root_key_and_says_which_it_needs() -> None:
    home, stranger = _home(), LocalRootKey(os.urandom(32))
    blob = _backup(home)
    with pytest.raises(VaultError, match=f"made under root key {home.root.key_id}"):
        verify_backup(root_key=stranger, source=io.BytesIO(blob), progress=lambda *_: None)


def test_a_customer_erased_after_the_backup_stays_erased_after_the_restore(
    train_staff: Callable[..., None],
) -> None:
    home = _home()
    train_staff(home.factory, DPO)  # erasure needs training
    erased, kept = _ingest(home, "gone@example.com", "kept@example.com")
    blob = _backup(home)
    home.erasure.erase_customer(actor=DPO, customer_id=erased, reason="DSAR 1")
    report = _restore(blob, home, force=True)
    assert (report.receipts, report.reapplied, report.already_erased) == (1, 1, 0)
    with home.factory() as uow:
        actions = [e.draft.action for e in uow.audit.scan()]
    assert actions[-2:] == [AuditAction.ERASURE_REAPPLIED, AuditAction.BACKUP_RESTORED]
    assert verify_audit_log(uow_factory=home.factory).entries_checked == len(actions)
    reader = home.reader()
    with pytest.raises(CustomerErasedError):
        reader.read_customer(actor=DPO, customer_id=erased)
    assert reader.find_customers(actor=DPO, field="email", value="gone@example.com") == []
    assert reader.read_customer(actor=DPO, customer_id=kept).traits["email"]


def test_a_fresh_home_restores_with_the_original_ledger_and_keeps_it(
    train_staff: Callable[..., None],
) -> None:
    home = _home()
    train_staff(home.factory, DPO)  # erasure needs training
    erased, kept = _ingest(home, "gone@example.com", "kept@example.com")
    blob = _backup(home)
    home.erasure.erase_customer(actor=DPO, customer_id=erased, reason="DSAR 1")
    target = _fresh_target(home)
    report = _restore(blob, target, extra=(home.ledger,))
    assert (report.reapplied, target.ledger.lines) == (1, home.ledger.lines)
    reader = target.reader()
    with pytest.raises(CustomerErasedError):
        reader.read_customer(actor=DPO, customer_id=erased)
    assert reader.read_customer(actor=DPO, customer_id=kept).traits["email"]


def test_an_erasure_already_in_the_backup_is_counted_not_repeated(
    train_staff: Callable[..., None],
) -> None:
    home = _home()
    train_staff(home.factory, DPO)  # erasure needs training
    (erased,) = _ingest(home, "gone@example.com")
    home.erasure.erase_customer(actor=DPO, customer_id=erased, reason="DSAR 1")
    report = _restore(_backup(home), _fresh_target(home), extra=(home.ledger,))
    assert (report.receipts, report.reapplied, report.already_erased) == (1, 0, 1)


def test_a_database_with_data_is_not_overwritten_without_force() -> None:
    home = _home()
    _ingest(home, "a@example.com")
    blob = _backup(home)
    before = home.factory.store
    with pytest.raises(ConflictError, match="already holds data"):
        _restore(blob, home)
    assert home.factory.store is before


def test_a_forged_receipt_in_a_ledger_stops_the_restore_before_anything_changes() -> None:
    home = _home()
    _ingest(home, "a@example.com")
    blob = _backup(home)
    forger = Keyring.open(home.root, Keyring.create_initial(home.root, now=NOW))
    forged = sign_receipt(
        forger,
        customer_pseudonym="ps1_" + "a" * 32,
        erased_at=NOW,
        actor="staff:mallory",
        reason="x",
        key_versions_destroyed={"subject_key": 1},
    )
    target = _fresh_target(home)
    with pytest.raises(InvalidInputError, match="line 1 of the erasure ledger memory"):
        _restore(blob, target, extra=(MemoryLedger([forged.to_json()]),))
    with target.factory() as uow:
        assert uow.customers.count() == 0


def test_a_tampered_backup_restores_nothing() -> None:
    home = _home()
    _ingest(home, "a@example.com")
    blob = bytearray(_backup(home))
    blob[-40] ^= 0x80
    target = _fresh_target(home)
    with pytest.raises(DecryptionError, match="does not authenticate"):
        _restore(bytes(blob), target)
    with target.factory() as uow:
        assert uow.customers.count() == 0


def test_a_backup_restores_only_into_the_same_kind_of_database() -> None:
    home = _home()
    with pytest.raises(InvalidInputError, match="of a sqlite database"):
        _restore(_backup(home), _fresh_target(home), kind="postgresql")
