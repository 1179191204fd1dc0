"""SQL repository of training records, approvals, hourly volume counters and applied policies."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Row

from strongroom.adapters.sql._support import domain_errors, write
from strongroom.adapters.sql.tables_policy import (
    access_volume,
    applied_policies,
    approvals,
    staff_training,
)
from strongroom.core.errors import NotFoundError
from strongroom.core.policy import (
    AppliedPolicy,
    Approval,
    ApprovalKind,
    TrainingKind,
    TrainingRecord,
)


def _training(row: Row[Any]) -> TrainingRecord:
    return TrainingRecord(
        principal=row.principal,
        kind=TrainingKind(row.kind),
        completed_at=row.completed_at,
        recorded_by=row.recorded_by,
        policy_version=row.policy_version,
    )


def _approval(row: Row[Any]) -> Approval:
    return Approval(
        id=row.id,
        kind=ApprovalKind(row.kind),
        payload_digest=row.payload_digest,
        summary=row.summary,
        requested_by=row.requested_by,
        requested_at=row.requested_at,
        expires_at=row.expires_at,
        approved_by=row.approved_by,
        decided_at=row.decided_at,
        used_at=row.used_at,
    )


def _approval_row(approval: Approval) -> dict[str, Any]:
    return {
        "id": approval.id,
        "kind": approval.kind.value,
        "payload_digest": approval.payload_digest,
        "summary": approval.summary,
        "requested_by": approval.requested_by,
        "requested_at": approval.requested_at,
        "expires_at": approval.expires_at,
        "approved_by": approval.approved_by,
        "decided_at": approval.decided_at,
        "used_at": approval.used_at,
    }


class SqlPolicyRepository:
    """The policy engine's records in the operational store."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def add_training(self, record: TrainingRecord) -> None:
        row = {
            "principal": record.principal,
            "kind": record.kind.value,
            "policy_version": record.policy_version,
            "completed_at": record.completed_at,
            "recorded_by": record.recorded_by,
        }
        write(self._connection, insert(staff_training), [row])

    def training(self, principal: str | None = None) -> list[TrainingRecord]:
        statement = select(staff_training).order_by(
            staff_training.c.completed_at, staff_training.c.id
        )
        if principal is not None:
            statement = statement.where(staff_training.c.principal == principal)
        return [_training(row) for row in self._connection.execute(statement)]

    def add_approval(self, approval: Approval) -> None:
        write(self._connection, insert(approvals), [_approval_row(approval)])

    def approval(self, approval_id: str) -> Approval | None:
        statement = select(approvals).where(approvals.c.id == approval_id)
        row = self._connection.execute(statement).first()
        return _approval(row) if row is not None else None

    def update_approval(self, approval: Approval) -> None:
        statement = (
            update(approvals)
            .where(approvals.c.id == approval.id)
            .values(
                approved_by=approval.approved_by,
                decided_at=approval.decided_at,
                used_at=approval.used_at,
            )
        )
        with domain_errors():
            if self._connection.execute(statement).rowcount == 0:
                raise NotFoundError(f"no approval {approval.id!r}")

    def approvals(self) -> list[Approval]:
        statement = select(approvals).order_by(
            approvals.c.requested_at.desc(), approvals.c.id.desc()
        )
        return [_approval(row) for row in self._connection.execute(statement)]

    def charge_volume(self, principal: str, window: datetime, records: int) -> int:
        dialect = postgresql if self._connection.dialect.name == "postgresql" else sqlite
        statement = dialect.insert(access_volume).values(
            principal=principal, window_start=window, records=records
        )
        upsert = statement.on_conflict_do_update(
            index_elements=["principal", "window_start"],
            set_={"records": access_volume.c.records + statement.excluded.records},
        ).returning(access_volume.c.records)
        with domain_errors():
            return int(self._connection.execute(upsert).scalar_one())

    def add_policy(self, policy: AppliedPolicy) -> None:
        row = {
            "version": policy.version,
            "digest": policy.digest,
            "text": policy.text,
            "applied_at": policy.applied_at,
            "applied_by": policy.applied_by,
            "approval_id": policy.approval_id,
        }
        write(self._connection, insert(applied_policies), [row])

    def latest_policy(self) -> AppliedPolicy | None:
        statement = select(applied_policies).order_by(applied_policies.c.id.desc()).limit(1)
        row = self._connection.execute(statement).first()
        if row is None:
            return None
        return AppliedPolicy(
            row.version, row.digest, row.text, row.applied_at, row.applied_by, row.approval_id
        )
