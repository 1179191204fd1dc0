"""Data-subject exports count against the hourly volume limit, on each store: over the cap the
export is refused, the refusal audited for the monitor, and nothing is exported or written."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from tests.worlds import FixedClock, fresh_keyring, send_batch, web_source

from strongroom.access.permissions import ROLES
from strongroom.access.profiles import ProfileReader
from strongroom.access.volume import window_start
from strongroom.audit.service import AuditLog, verify_audit_log
from strongroom.bootstrap.privacy import export_subject_files
from strongroom.collect.service import Ingestor
from strongroom.core.errors import VolumeLimitedError
from strongroom.core.models import Actor, PrincipalKind
from strongroom.core.ports import UnitOfWorkFactory
from strongroom.core.privacy import RequestKind
from strongroom.core.trail import AuditAction, AuditEntry, Outcome
from strongroom.privacy.export import SubjectExporter
from strongroom.privacy.requests import RequestDesk
from strongroom.vault.service import SubjectVault

OPERATOR = Actor(PrincipalKind.LOCAL, "ops", role="admin")
DPO = Actor(PrincipalKind.STAFF, "dana", role="dpo")
START = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)


@dataclass
class World:
    factory: UnitOfWorkFactory
    exporter: SubjectExporter
    request_id: str

    def entries(self) -> list[AuditEntry]:
        with self.factory() as uow:
            return list(uow.audit.scan())

    def used_this_hour(self) -> int:
        with self.factory() as uow:  # charging nothing reads the count
            return uow.policy.charge_volume(DPO.label, window_start(START), 0)

    def use_up_to(self, records: int) -> None:
        """The DPO has read or exported ``records`` customer records in this hour."""
        with self.factory() as uow:
            used = uow.policy.charge_volume(DPO.label, window_start(START), 0)
            uow.policy.charge_volume(DPO.label, window_start(START), records - used)
            uow.commit()


@pytest.fixture
def world(uow_factory: UnitOfWorkFactory, train_staff: Callable[..., None]) -> World:
    clock = FixedClock(START)
    audit = AuditLog(clock)
    vault = SubjectVault(fresh_keyring(START))
    train_staff(uow_factory, DPO)
    source = web_source(uow_factory, audit, clock, OPERATOR)
    identify = {
        "type": "identify",
        "userId": "u-1",
        "messageId": "m-1",
        "traits": {"email": "ada@example.org", "lastName": "Lovelace"},
    }
    ingestor = Ingestor(uow_factory=uow_factory, vault=vault, audit=audit, clock=clock)
    send_batch(ingestor, source, identify)
    reader = ProfileReader(uow_factory=uow_factory, vault=vault, audit=audit)
    (found,) = reader.find_customers(actor=DPO, field="email", value="ada@example.org")
    request = RequestDesk(uow_factory, audit, clock).open(
        actor=DPO, customer_id=found.id, kind=RequestKind.ACCESS, verification="email reply"
    )
    exporter = SubjectExporter(uow_factory, uow_factory, vault, audit, clock)
    return World(uow_factory, exporter, request.id)


def _cap() -> int:
    cap = ROLES["dpo"].volume_per_hour
    assert cap is not None
    return cap


def test_a_subject_export_counts_one_record_and_the_last_one_under_the_cap_is_allowed(
    world: World,
) -> None:
    world.use_up_to(_cap() - 1)
    export = world.exporter.export(actor=DPO, request_id=world.request_id)
    assert {row["value"] for row in export.tables["profile"]} >= {"ada@example.org"}
    assert world.used_this_hour() == _cap()
    assert world.entries()[-1].draft.action is AuditAction.DSAR_EXPORTED


def test_a_subject_export_over_the_cap_is_refused_audited_and_nothing_is_written(
    world: World, tmp_path: Path
) -> None:
    world.use_up_to(_cap())
    before = world.entries()
    out = tmp_path / "export.json"
    privacy: Any = SimpleNamespace(exporter=world.exporter)  # the file writer the CLI uses
    with pytest.raises(VolumeLimitedError, match=f"may read or export {_cap()} customer records"):
        export_subject_files(
            privacy, actor=DPO, request_id=world.request_id, out=out, csv_bundle=False
        )
    assert not out.exists()
    after = world.entries()
    [refused] = after[len(before) :]  # the refusal only: no dsar.exported entry
    assert (refused.draft.action, refused.draft.outcome, refused.draft.actor) == (
        AuditAction.VOLUME_EXCEEDED,
        Outcome.DENIED,
        "staff:dana",
    )
    assert refused.draft.detail == {"limit_per_hour": _cap(), "role": "dpo"}
    assert world.used_this_hour() == _cap()  # the refused export was not counted either
    assert verify_audit_log(uow_factory=world.factory).entries_checked == len(after)
