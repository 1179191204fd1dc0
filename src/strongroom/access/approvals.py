"""Four eyes: bulk export, key rotation, policy changes and role grants run only with an approval
that a second person gave. Each step (request, approval, use, refusal) is audited.

A person is known by their name (a staff login, or the operator's OS account for the CLI). An
approval covers one act: its kind and a digest of exactly what is to be done; it expires after
``APPROVAL_LIFETIME`` and is used up by the act.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from strongroom.core.clock import Clock
from strongroom.core.errors import ApprovalRequiredError, ConflictError, NotFoundError
from strongroom.core.models import Actor
from strongroom.core.policy import Approval, ApprovalKind
from strongroom.core.ports import AuditTrail, UnitOfWork, UnitOfWorkFactory
from strongroom.core.trail import AuditAction, AuditDraft, Outcome

APPROVAL_LIFETIME = timedelta(hours=24)
MAX_SUMMARY_CHARS = 500


def payload_digest(payload: str) -> str:
    """The digest an approval binds: SHA-256 of the act's canonical description."""
    return hashlib.sha256(payload.encode()).hexdigest()


def approval_problem(
    approval: Approval, *, actor: Actor, kind: ApprovalKind, payload: str, now: datetime
) -> str | None:
    """Why ``approval`` does not allow ``actor`` to do this act now; None if it does."""
    checks = (
        (approval.kind is not kind, f"it is for {approval.kind.value}, not {kind.value}"),
        (
            approval.payload_digest != payload_digest(payload),
            f"it was given for a different {kind.value}",
        ),
        (approval.approved_by is None, "it has not been approved yet"),
        (
            approval.approved_by in (approval.requested_by, actor.name),
            "it needs a second person: the approver may not be the one who acts",
        ),
        (approval.used_at is not None, "it was used already; request a new one"),
        (now >= approval.expires_at, f"it expired at {approval.expires_at:%Y-%m-%d %H:%M} UTC"),
    )
    for failed, problem in checks:
        if failed:
            return f"approval {approval.id} does not allow this: {problem}"
    return None


@dataclass(frozen=True, slots=True)
class FourEyes:
    uow_factory: UnitOfWorkFactory
    audit: AuditTrail
    clock: Clock

    def request(self, *, actor: Actor, kind: ApprovalKind, payload: str, summary: str) -> Approval:
        """Ask for a second person's approval of one act."""
        now = self.clock.now()
        approval = Approval(
            id=str(uuid.uuid4()),
            kind=kind,
            payload_digest=payload_digest(payload),
            summary=summary[:MAX_SUMMARY_CHARS],
            requested_by=actor.name,
            requested_at=now,
            expires_at=now + APPROVAL_LIFETIME,
        )
        with self.uow_factory() as uow:
            uow.policy.add_approval(approval)
            self.audit.record(uow, [_draft(actor, AuditAction.APPROVAL_REQUESTED, approval)])
            uow.commit()
        return approval

    def approve(self, *, actor: Actor, approval_id: str) -> Approval:
        """Approve a request of someone else's; one's own is refused (and audited)."""
        now = self.clock.now()
        with self.uow_factory() as uow:
            approval = _get(uow.policy.approval(approval_id), approval_id)
            problem = None
            if approval.requested_by == actor.name:
                problem = "nobody may approve their own request: ask a second person"
            elif now >= approval.expires_at:
                problem = f"approval {approval.id} expired; request a new one"
            elif approval.approved_by is not None:
                raise ConflictError(f"approval {approval.id} was approved already")
            if problem is None:
                approval = replace(approval, approved_by=actor.name, decided_at=now)
                uow.policy.update_approval(approval)
                self.audit.record(uow, [_draft(actor, AuditAction.APPROVAL_GRANTED, approval)])
                uow.commit()
                return approval
        raise self.refuse(actor, approval, problem or "refused")

    def use(self, *, actor: Actor, approval_id: str, kind: ApprovalKind, payload: str) -> Approval:
        """Use up an approval for the act about to run; ApprovalRequiredError if it does not
        allow it (own approval, expired, wrong kind, different payload, used)."""
        with self.uow_factory() as uow:
            approval, problem = self.use_in(
                uow, actor=actor, approval_id=approval_id, kind=kind, payload=payload
            )
            if problem is None:
                uow.commit()
                return approval
        raise self.refuse(actor, approval, problem)

    def use_in(
        self, uow: UnitOfWork, *, actor: Actor, approval_id: str, kind: ApprovalKind, payload: str
    ) -> tuple[Approval, str | None]:
        """Use up the approval inside the caller's transaction, so that it commits with the act;
        else the problem, having changed nothing (the caller rolls back, then ``refuse``)."""
        now = self.clock.now()
        approval = _get(uow.policy.approval(approval_id), approval_id)
        problem = approval_problem(approval, actor=actor, kind=kind, payload=payload, now=now)
        if problem is not None:
            return approval, problem
        approval = replace(approval, used_at=now)
        uow.policy.update_approval(approval)
        self.audit.record(uow, [_draft(actor, AuditAction.APPROVAL_USED, approval)])
        return approval, None

    def missing(self, *, actor: Actor, kind: ApprovalKind, payload: str) -> ApprovalRequiredError:
        """Audit an act tried without any approval; the error to raise, saying how to get one."""
        draft = AuditDraft(
            actor=actor.label,
            action=AuditAction.APPROVAL_REFUSED,
            outcome=Outcome.DENIED,
            resource_type="approval",
            detail={"kind": kind.value, "problem": "no approval given"},
            origin=actor.origin,
        )
        with self.uow_factory() as uow:
            self.audit.record(uow, [draft])
            uow.commit()
        return ApprovalRequiredError(
            f"this {kind.value} needs a second person's approval: run strongroom approvals "
            f"request --kind {kind.value} --payload {payload}, have another person approve it, "
            "then give its id (--approval ID)"
        )

    def list(self) -> list[Approval]:
        """Every request, newest first."""
        with self.uow_factory() as uow:
            return uow.policy.approvals()

    def refuse(self, actor: Actor, approval: Approval, problem: str) -> ApprovalRequiredError:
        """Audit a refused use of ``approval`` (its own transaction); the error to raise."""
        draft = _draft(actor, AuditAction.APPROVAL_REFUSED, approval, Outcome.DENIED)
        with self.uow_factory() as uow:
            self.audit.record(uow, [draft])
            uow.commit()
        return ApprovalRequiredError(problem)


def _get(approval: Approval | None, approval_id: str) -> Approval:
    if approval is None:
        raise NotFoundError(f"no approval {approval_id!r}; see strongroom approvals list")
    return approval


def _draft(
    actor: Actor, action: AuditAction, approval: Approval, outcome: Outcome = Outcome.SUCCESS
) -> AuditDraft:
    return AuditDraft(
        actor=actor.label,
        action=action,
        outcome=outcome,
        resource_type="approval",
        resource_ids=(approval.id,),
        detail={
            "kind": approval.kind.value,
            "requested_by": approval.requested_by,
            "approved_by": approval.approved_by or "",
        },
        origin=actor.origin,
    )
