"""Records of the policy engine: training, four-eyes approvals, volume counts, applied policies.

The rules over them live in ``access`` (training, approvals, volume, policyfile); this module holds
only the domain types and the port that stores them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol


class TrainingKind(StrEnum):
    SECURITY_TRAINING = "security_training"  # phishing awareness, renewed every year
    POLICY_ACK = "policy_ack"  # the person acknowledged a version of the data-protection policy


@dataclass(frozen=True, slots=True)
class TrainingRecord:
    """One completed training or acknowledgement of one person (a staff login name)."""

    principal: str
    kind: TrainingKind
    completed_at: datetime
    recorded_by: str
    policy_version: str | None = None  # the version acknowledged (policy_ack only)


class ApprovalKind(StrEnum):
    BULK_EXPORT = "bulk_export"
    KEY_ROTATION = "key_rotation"
    POLICY_CHANGE = "policy_change"
    ROLE_GRANT = "role_grant"
    CONTAINMENT = "containment"  # the playbook steps that need approval, for one incident


@dataclass(frozen=True, slots=True)
class Approval:
    """A request for a second person's approval of one sensitive act, and what became of it."""

    id: str
    kind: ApprovalKind
    payload_digest: str  # SHA-256 of what exactly is to be done (e.g. "field-kek")
    summary: str  # what the approver is shown; names, never customer data
    requested_by: str
    requested_at: datetime
    expires_at: datetime
    approved_by: str | None = None
    decided_at: datetime | None = None
    used_at: datetime | None = None  # an approval allows one act only


@dataclass(frozen=True, slots=True)
class AppliedPolicy:
    """A policy file that was applied, kept whole so any version can be shown again."""

    version: str
    digest: str
    text: str
    applied_at: datetime
    applied_by: str
    approval_id: str | None


class PolicyRepository(Protocol):
    """Training records, approvals, per-hour volume counters and applied policy files."""

    def add_training(self, record: TrainingRecord) -> None: ...

    def training(self, principal: str | None = None) -> list[TrainingRecord]:
        """Every record, or one person's; oldest first."""
        ...

    def add_approval(self, approval: Approval) -> None: ...

    def approval(self, approval_id: str) -> Approval | None: ...

    def update_approval(self, approval: Approval) -> None: ...

    def approvals(self) -> list[Approval]:
        """Every approval request, newest first."""
        ...

    def charge_volume(self, principal: str, window: datetime, records: int) -> int:
        """Add ``records`` to the principal's count for the hour ``window``; the new count."""
        ...

    def add_policy(self, policy: AppliedPolicy) -> None: ...

    def latest_policy(self) -> AppliedPolicy | None: ...
