"""A bulk export of customer profiles on each store: every customer with a key, less those under
legal hold, paged through in id order into a real file; over the cap nothing is written."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from tests.worlds import FixedClock, fresh_keyring, send_batch, web_source

from strongroom.access import bulkexport
from strongroom.access.approvals import FourEyes
from strongroom.access.bulkexport import CSV_COLUMNS, CustomerExporter, ExportFormat, Row
from strongroom.access.permissions import ROLES
from strongroom.access.volume import window_start
from strongroom.adapters.profile_files import write_csv_rows
from strongroom.audit.service import AuditLog, verify_audit_log
from strongroom.collect.service import Ingestor
from strongroom.core.errors import VolumeLimitedError
from strongroom.core.models import Actor, PrincipalKind
from strongroom.core.policy import ApprovalKind
from strongroom.core.ports import UnitOfWorkFactory
from strongroom.core.privacy import LegalHold
from strongroom.vault.service import SubjectVault

START = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
ASKER = Actor(PrincipalKind.LOCAL, "alice", role="admin")
APPROVER = Actor(PrincipalKind.LOCAL, "bob", role="admin")
DPO = Actor(PrincipalKind.STAFF, "dana", role="dpo")
CUSTOMERS = 7


@dataclass
class World:
    factory: UnitOfWorkFactory
    exporter: CustomerExporter
    eyes: FourEyes

    def approval(self) -> str:
        payload = bulkexport.bulk_export_payload(
            export_format=ExportFormat.CSV, purpose="dsar", reader=DPO.name
        )
        asked = self.eyes.request(
            actor=ASKER, kind=ApprovalKind.BULK_EXPORT, payload=payload, summary="export"
        )
        return self.eyes.approve(actor=APPROVER, approval_id=asked.id).id

    def export_to(self, out: Path) -> int:
        def write(batches: Iterator[list[Row]]) -> int:
            return write_csv_rows(out, CSV_COLUMNS, batches)

        report = self.exporter.export(
            actor=DPO,
            export_format=ExportFormat.CSV,
            purpose="dsar",
            approval_id=self.approval(),
            sink=write,
        )
        return report.records

    def used_this_hour(self) -> int:
        with self.factory() as uow:  # charging nothing reads the count
            return uow.policy.charge_volume(DPO.label, window_start(START), 0)


@pytest.fixture
def world(uow_factory: UnitOfWorkFactory, train_staff: Callable[..., None]) -> World:
    clock = FixedClock(START)
    audit = AuditLog(clock)
    vault = SubjectVault(fresh_keyring(START))
    train_staff(uow_factory, DPO, clock=clock)
    source = web_source(uow_factory, audit, clock, ASKER)
    batch = [
        {"type": "identify", "userId": f"u-{n}", "messageId": f"m-{n}",
         "traits": {"email": f"person{n}@example.org", "age": 20 + n}}
        for n in range(CUSTOMERS)
    ]  # fmt: skip
    ingestor = Ingestor(uow_factory=uow_factory, vault=vault, audit=audit, clock=clock)
    send_batch(ingestor, source, *batch)
    eyes = FourEyes(uow_factory=uow_factory, audit=audit, clock=clock)
    exporter = CustomerExporter(
        uow_factory=uow_factory,
        reader=uow_factory,
        vault=vault,
        audit=audit,
        clock=clock,
        four_eyes=eyes,
    )
    return World(uow_factory, exporter, eyes)


def test_every_customer_but_one_under_hold_is_exported_in_batches(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bulkexport, "EXPORT_BATCH", 3)  # several pages, one of them partial
    with world.factory() as uow:
        held = uow.erasures.keyed_customers(after=None, limit=10)[3]
        uow.legal_holds.add(LegalHold("h-1", held, "litigation", "dana", START))
        uow.commit()
    out = tmp_path / "all.csv"
    assert world.export_to(out) == CUSTOMERS - 1
    with out.open(newline="") as stream:
        rows = list(csv.DictReader(stream))
    ids = [row["id"] for row in rows]
    assert ids == sorted(ids)
    assert held not in ids
    emails = {row["email"] for row in rows}  # the dpo sees PII in clear
    assert len(emails) == CUSTOMERS - 1
    assert emails <= {f"person{n}@example.org" for n in range(CUSTOMERS)}
    assert world.used_this_hour() == CUSTOMERS - 1
    report = verify_audit_log(uow_factory=world.factory)  # raises if the chain is broken
    with world.factory() as uow:
        last = list(uow.audit.scan())[-1].draft
    assert (last.action.stored_name, last.detail["records"]) == ("customers.exported", 6)
    assert report.entries_checked == report.head_seq


def test_over_the_cap_nothing_is_written_and_nothing_counted(world: World, tmp_path: Path) -> None:
    cap = ROLES["dpo"].volume_per_hour
    assert cap is not None
    with world.factory() as uow:  # one record short of room for the whole export
        uow.policy.charge_volume(DPO.label, window_start(START), cap - CUSTOMERS + 1)
        uow.commit()
    exports = tmp_path / "exports"
    exports.mkdir()
    with pytest.raises(VolumeLimitedError):
        world.export_to(exports / "all.csv")
    assert list(exports.iterdir()) == []
    assert world.used_this_hour() == cap - CUSTOMERS + 1
