"""Changing the policy: a policy change needs four eyes, and is audited with old and new version.

The applied file is kept whole in the store; when the app is built, the policy in force is the
file named by the ``policy_file`` setting, else the newest applied one, else the built-in one.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from strongroom.access.approvals import FourEyes
from strongroom.access.permissions import BUILTIN, Policy
from strongroom.access.policyfile import active_policy, install, parse_text, read_policy_file
from strongroom.core.clock import Clock
from strongroom.core.models import Actor
from strongroom.core.policy import AppliedPolicy, ApprovalKind
from strongroom.core.ports import AuditTrail, UnitOfWorkFactory
from strongroom.core.trail import AuditAction, AuditDraft, Outcome


def policy_payload(policy: Policy) -> str:
    """What an approval of a policy change binds: the new file's digest."""
    return f"policy:{policy.digest}"


def load_policy(uow_factory: UnitOfWorkFactory, settings_file: Path | None) -> Policy:
    """Install and return the policy in force for this process."""
    if settings_file is not None:
        policy = read_policy_file(settings_file)
    else:
        with uow_factory() as uow:
            applied = uow.policy.latest_policy()
        policy = parse_text(applied.text) if applied is not None else BUILTIN
    install(policy)
    return policy


@dataclass(frozen=True, slots=True)
class PolicyChanges:
    uow_factory: UnitOfWorkFactory
    audit: AuditTrail
    clock: Clock
    four_eyes: FourEyes

    def apply(self, *, actor: Actor, policy: Policy, approval_id: str) -> AppliedPolicy:
        """Apply ``policy`` with an approval a second person gave for exactly this file."""
        self.four_eyes.use(
            actor=actor,
            approval_id=approval_id,
            kind=ApprovalKind.POLICY_CHANGE,
            payload=policy_payload(policy),
        )
        old = active_policy()
        applied = AppliedPolicy(
            policy.version, policy.digest, policy.text, self.clock.now(), actor.label, approval_id
        )
        draft = AuditDraft(
            actor=actor.label,
            action=AuditAction.POLICY_APPLIED,
            outcome=Outcome.SUCCESS,
            resource_type="policy",
            resource_ids=(policy.version,),
            detail={
                "old_version": old.version,
                "new_version": policy.version,
                "digest": policy.digest,
                "approval": approval_id,
            },
            origin=actor.origin,
        )
        with self.uow_factory() as uow:
            uow.policy.add_policy(applied)
            self.audit.record(uow, [draft])
            uow.commit()
        install(policy)
        return applied
