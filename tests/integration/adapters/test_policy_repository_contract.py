"""The policy repository behaves alike on the fakes, SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from strongroom.core.errors import ConflictError, NotFoundError
from strongroom.core.policy import (
    AppliedPolicy,
    Approval,
    ApprovalKind,
    TrainingKind,
    TrainingRecord,
)
from strongroom.core.ports import UnitOfWorkFactory

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
HOUR = NOW.replace(minute=0)


def _approval(approval_id: str, at: datetime = NOW) -> Approval:
    return Approval(
        approval_id, ApprovalKind.KEY_ROTATION, "ab" * 32, "rotate", "alice", at, at + timedelta(1)
    )


def test_training_records_come_back_per_person_oldest_first(uow_factory: UnitOfWorkFactory) -> None:
    records = [
        TrainingRecord("dana", TrainingKind.POLICY_ACK, NOW, "local:root", "2026.1"),
        TrainingRecord("dana", TrainingKind.SECURITY_TRAINING, NOW - timedelta(days=3), "x"),
        TrainingRecord("sam", TrainingKind.SECURITY_TRAINING, NOW, "x"),
    ]
    with uow_factory() as uow:
        for record in records:
            uow.policy.add_training(record)
        uow.commit()
    with uow_factory() as uow:
        assert uow.policy.training("dana") == [records[1], records[0]]
        assert len(uow.policy.training()) == 3


def test_approvals_are_stored_updated_and_listed_newest_first(
    uow_factory: UnitOfWorkFactory,
) -> None:
    with uow_factory() as uow:
        uow.policy.add_approval(_approval("a1", NOW - timedelta(hours=1)))
        uow.policy.add_approval(_approval("a2"))
        uow.commit()
    with uow_factory() as uow:
        approved = replace(
            _approval("a1", NOW - timedelta(hours=1)),
            approved_by="bob",
            decided_at=NOW,
            used_at=NOW,
        )
        uow.policy.update_approval(approved)
        uow.commit()
    with uow_factory() as uow:
        assert uow.policy.approval("a1") == approved
        assert [a.id for a in uow.policy.approvals()] == ["a2", "a1"]
        assert uow.policy.approval("nope") is None
        with pytest.raises(NotFoundError):
            uow.policy.update_approval(_approval("nope"))


def test_a_duplicate_approval_id_conflicts(uow_factory: UnitOfWorkFactory) -> None:
    with uow_factory() as uow:
        uow.policy.add_approval(_approval("a1"))
        uow.commit()
    with uow_factory() as uow, pytest.raises(ConflictError):
        uow.policy.add_approval(_approval("a1"))


def test_volume_counts_add_up_per_principal_and_hour(uow_factory: UnitOfWorkFactory) -> None:
    with uow_factory() as uow:
        assert uow.policy.charge_volume("staff:sue", HOUR, 2) == 2
        assert uow.policy.charge_volume("staff:sue", HOUR, 3) == 5
        assert uow.policy.charge_volume("staff:max", HOUR, 1) == 1
        assert uow.policy.charge_volume("staff:sue", HOUR + timedelta(hours=1), 1) == 1
        uow.commit()
    with uow_factory() as uow:
        assert uow.policy.charge_volume("staff:sue", HOUR, 1) == 6


def test_the_latest_applied_policy_is_the_newest(uow_factory: UnitOfWorkFactory) -> None:
    with uow_factory() as uow:
        assert uow.policy.latest_policy() is None
        for n in (1, 2):
            uow.policy.add_policy(AppliedPolicy(f"v{n}", "c" * 64, f"text {n}", NOW, "x", None))
        uow.commit()
    with uow_factory() as uow:
        latest = uow.policy.latest_policy()
        assert latest is not None
        assert (latest.version, latest.text) == ("v2", "text 2")
