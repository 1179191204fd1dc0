"""What the policy fake holds: one field of ``MemoryStore``, kept apart to stay small."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from strongroom.core.policy import AppliedPolicy, Approval, TrainingRecord


@dataclass
class PolicyState:
    training: list[TrainingRecord] = field(default_factory=list)
    approvals: dict[str, Approval] = field(default_factory=dict)
    volume: dict[tuple[str, datetime], int] = field(default_factory=dict)
    policies: list[AppliedPolicy] = field(default_factory=list)
