"""Suspects' audit entries reach the incident timeline on SQLite and PostgreSQL: capped passes,
each entry once, even when two passes race over the same entries."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

from sqlalchemy import Engine

from strongroom.adapters.sql.unit_of_work import SqlUnitOfWorkFactory
from strongroom.audit.service import AuditLog
from strongroom.core.incidents import TimelineKind
from strongroom.core.models import Actor, PrincipalKind
from strongroom.core.monitoring import Severity
from strongroom.core.trail import AuditAction, AuditDraft, Outcome
from strongroom.respond.service import IncidentService
from strongroom.respond.suspects import MORE_FOLLOW, SuspectWatcher

RESPONDER = Actor(PrincipalKind.STAFF, "rita", role="security")


class Clock:
    def now(self) -> datetime:
        return datetime.now(UTC)


def _read(actor: str, n: int) -> AuditDraft:
    return AuditDraft(
        actor=actor,
        action=AuditAction.CUSTOMER_READ,
        outcome=Outcome.SUCCESS,
        resource_type="customer",
        resource_ids=(f"cust-{n}",),
        data_classes=("pii",),
    )


def test_a_suspects_reads_are_copied_in_capped_passes_exactly_once(sql_engine: Engine) -> None:
    factory, audit = SqlUnitOfWorkFactory(sql_engine), AuditLog(Clock())
    incidents = IncidentService(uow_factory=factory, audit=audit, clock=Clock())
    incident = incidents.open_incident(
        actor=RESPONDER, title="Vendor key misuse", severity=Severity.HIGH
    )
    incidents.add_suspect(actor=RESPONDER, incident_id=incident.id, label="vendor:acme")
    with factory() as uow:
        drafts = [_read(who, n) for n in range(7) for who in ("vendor:acme", "staff:ann")]
        audit.record(uow, drafts)
        uow.commit()
    watcher = SuspectWatcher(uow_factory=factory, incidents=incidents, cap=5)
    assert watcher.sync([incident.id]).capped == (incident.id,)
    racing = [threading.Thread(target=watcher.sync, args=([incident.id],)) for _ in range(3)]
    for thread in racing:
        thread.start()
    for thread in racing:
        thread.join()
    watcher.sync([incident.id])
    timeline = incidents.show(incident.id).timeline
    copies = [e.draft for e in timeline if e.draft.kind is TimelineKind.AUDIT]
    with factory() as uow:
        expected = [e.seq for e in uow.audit.scan() if e.draft.actor == "vendor:acme"]
    assert [c.audit_seq for c in copies] == expected  # each once, in order
    assert MORE_FOLLOW in copies[4].text
    assert all("cust-" not in c.text and "cust-" not in str(c.detail) for c in copies)
