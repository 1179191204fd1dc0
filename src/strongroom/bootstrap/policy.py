"""Wiring of the policy engine: the policy in force, training records, four eyes, reveals."""

from __future__ import annotations

from dataclasses import dataclass

from strongroom.access.approvals import FourEyes
from strongroom.access.policychange import PolicyChanges, load_policy
from strongroom.access.reveal import Revealer
from strongroom.access.training import TrainingBook
from strongroom.core.clock import Clock
from strongroom.core.ports import AuditTrail, UnitOfWorkFactory
from strongroom.settings import Settings
from strongroom.vault.service import SubjectVault


@dataclass(frozen=True, slots=True)
class PolicyServices:
    training: TrainingBook
    approvals: FourEyes
    changes: PolicyChanges
    reveal: Revealer


def build_policy(
    settings: Settings,
    *,
    uow_factory: UnitOfWorkFactory,
    audit: AuditTrail,
    clock: Clock,
    vault: SubjectVault,
) -> PolicyServices:
    """Install the policy in force (settings file, else the newest applied, else built-in)."""
    load_policy(uow_factory, settings.policy_file)
    four_eyes = FourEyes(uow_factory=uow_factory, audit=audit, clock=clock)
    return PolicyServices(
        training=TrainingBook(uow_factory=uow_factory, audit=audit, clock=clock),
        approvals=four_eyes,
        changes=PolicyChanges(
            uow_factory=uow_factory, audit=audit, clock=clock, four_eyes=four_eyes
        ),
        reveal=Revealer(uow_factory=uow_factory, vault=vault, audit=audit, clock=clock),
    )
