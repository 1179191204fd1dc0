"""Fake of PolicyRepository: training records, approvals, volume counters, applied policies."""

from __future__ import annotations

from datetime import datetime

from strongroom.adapters.memory.policy_state import PolicyState
from strongroom.adapters.memory.store import Staging, as_utc, check_new
from strongroom.core.clock import ensure_utc
from strongroom.core.errors import NotFoundError
from strongroom.core.policy import AppliedPolicy, Approval, TrainingRecord


class MemoryPolicyRepository:
    """Fake of PolicyRepository."""

    def __init__(self, staging: Staging) -> None:
        self._staging = staging

    @property
    def _state(self) -> PolicyState:
        state: PolicyState = self._staging.store.policy
        return state

    def add_training(self, record: TrainingRecord) -> None:
        self._state.training.append(as_utc(record))

    def training(self, principal: str | None = None) -> list[TrainingRecord]:
        found = [r for r in self._state.training if principal in (None, r.principal)]
        return sorted(found, key=lambda record: record.completed_at)

    def add_approval(self, approval: Approval) -> None:
        check_new(self._state.approvals, [approval.id], "approval")
        self._state.approvals[approval.id] = as_utc(approval)

    def approval(self, approval_id: str) -> Approval | None:
        return self._state.approvals.get(approval_id)

    def update_approval(self, approval: Approval) -> None:
        if approval.id not in self._state.approvals:
            raise NotFoundError(f"no approval {approval.id!r}")
        self._state.approvals[approval.id] = as_utc(approval)

    def approvals(self) -> list[Approval]:
        found = list(self._state.approvals.values())
        return sorted(found, key=lambda a: (a.requested_at, a.id), reverse=True)

    def charge_volume(self, principal: str, window: datetime, records: int) -> int:
        key = (principal, ensure_utc(window))
        self._state.volume[key] = self._state.volume.get(key, 0) + records
        return self._state.volume[key]

    def add_policy(self, policy: AppliedPolicy) -> None:
        self._state.policies.append(as_utc(policy))

    def latest_policy(self) -> AppliedPolicy | None:
        return self._state.policies[-1] if self._state.policies else None
