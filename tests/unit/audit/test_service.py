"""The audit log appends inside the caller's transaction and verifies through the port."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from strongroom.adapters.memory import MemoryUnitOfWorkFactory
from strongroom.audit.service import AuditLog, verify_audit_log
from strongroom.core.trail import AuditAction, AuditDraft, Outcome


class FixedClock:
    def now(self) -> datetime:
        return datetime(2026, 1, 1, tzinfo=UTC)


def _draft() -> AuditDraft:
    return AuditDraft("local:ops", AuditAction.SOURCE_CREATED, Outcome.SUCCESS, "source", ("s1",))


def test_recorded_entries_commit_with_the_act_and_verify() -> None:
    factory = MemoryUnitOfWorkFactory()
    log = AuditLog(FixedClock())
    for _ in range(3):
        with factory() as uow:
            log.record(uow, [_draft(), _draft()])
            uow.commit()
    report = verify_audit_log(uow_factory=factory)
    assert report.entries_checked == 6
    assert report.head_seq == 6


def test_entries_of_a_rolled_back_act_are_not_kept() -> None:
    factory = MemoryUnitOfWorkFactory()
    log = AuditLog(FixedClock())

    def failing_act() -> None:
        with factory() as uow:
            log.record(uow, [_draft()])
            raise RuntimeError("the act failed")

    with pytest.raises(RuntimeError):
        failing_act()
    assert verify_audit_log(uow_factory=factory).entries_checked == 0


def test_recording_nothing_touches_nothing() -> None:
    factory = MemoryUnitOfWorkFactory()
    with factory() as uow:
        AuditLog(FixedClock()).record(uow, [])
        uow.commit()
    assert verify_audit_log(uow_factory=factory).head_seq == 0
