"""Audit entries of staff logins and account changes: ids and reasons, never secrets."""

from __future__ import annotations

from strongroom.core.models import Actor, Principal, PrincipalKind
from strongroom.core.trail import AuditAction, AuditDraft, Origin, Outcome


def person(principal: Principal) -> Actor:
    return Actor(PrincipalKind.STAFF, principal.name, principal.role, principal.id)


def staff_draft(
    principal: Principal,
    action: AuditAction,
    detail: dict[str, str | int],
    *,
    origin: Origin | None,
    actor: Actor | None = None,
    outcome: Outcome = Outcome.SUCCESS,
) -> AuditDraft:
    """An act on ``principal``'s account, by ``actor`` (the person themself by default)."""
    return AuditDraft(
        actor=(actor or person(principal)).label,
        action=action,
        outcome=outcome,
        resource_type="staff_account",
        resource_ids=(principal.id,),
        purpose="administration" if actor is not None else None,
        detail=detail,
        origin=origin or (actor.origin if actor else None),
    )


def failed_draft(
    principal_id: str | None, credential: str, reason: str, origin: Origin | None
) -> AuditDraft:
    """A refused login credential, as ``auth.failed`` (what the monitor's detectors count)."""
    return AuditDraft(
        actor=Actor(PrincipalKind.ANONYMOUS, "unknown").label,
        action=AuditAction.AUTH_FAILED,
        outcome=Outcome.DENIED,
        resource_type="staff_account",
        resource_ids=(principal_id,) if principal_id else (),
        detail={"credential": credential, "reason": reason},
        origin=origin,
    )
