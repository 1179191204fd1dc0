"""The gate every staff act passes: the policy engine's decision on the role's permission, the
stated purpose and, for PII permissions, the person's training; or a denial that is audited (a
security event the monitor watches) before it is raised."""

from __future__ import annotations

from datetime import UTC, datetime

from strongroom.access.decisions import Decision, Reason, decide
from strongroom.access.permissions import PURPOSE_NAMES, Permission, Role
from strongroom.access.policy import require, require_scope, resolve_purpose, role_named
from strongroom.access.policyfile import active_policy
from strongroom.access.training import held_to_training, is_trained
from strongroom.core.errors import InvalidInputError, PermissionDeniedError, TrainingRequiredError
from strongroom.core.models import Actor
from strongroom.core.ports import AuditTrail, UnitOfWorkFactory
from strongroom.core.trail import AuditAction, AuditDraft, Outcome


def authorise(
    *,
    uow_factory: UnitOfWorkFactory,
    audit: AuditTrail,
    actor: Actor,
    permission: Permission,
    purpose: str | None,
    resource_type: str = "customer",
    now: datetime | None = None,
) -> str:
    """The purpose the act is done for; PermissionDeniedError (audited) when not allowed,
    TrainingRequiredError for a PII permission without current training, InvalidInputError
    (audited) for an undeclared purpose."""
    role = role_named(actor.role or "")
    stated = purpose or role.default_purpose
    trained = True
    if permission in active_policy().pii_permissions and held_to_training(actor):
        with uow_factory() as uow:
            trained = is_trained(uow, actor, now or datetime.now(UTC))
    decision = decide(role, permission, None, stated, consent=True, trained=trained)
    try:
        if decision.reason is Reason.NO_PERMISSION:
            require(role, permission)
        require_scope(actor, permission)
        if not decision.allowed:
            raise _refusal(decision, role, permission, stated)
        return stated
    except (PermissionDeniedError, InvalidInputError) as error:
        reason = decision.reason.value if not decision.allowed else "scope"
        record_denial(
            uow_factory=uow_factory,
            audit=audit,
            actor=actor,
            permission=permission,
            resource_type=resource_type,
            reason=reason,
            stated_purpose=stated,
        )
        raise error from None


def _refusal(
    decision: Decision, role: Role, permission: Permission, purpose: str
) -> PermissionDeniedError | InvalidInputError:
    if decision.reason is Reason.TRAINING_REQUIRED:
        version = active_policy().version
        return TrainingRequiredError(
            f"{permission.value} needs security training within the last "
            f"{active_policy().training_max_age_days} days and an acknowledgement of policy "
            f"version {version}; ask for them to be recorded (staff training record)"
        )
    try:
        resolve_purpose(role, purpose)  # raises with the message that names the purposes
    except (PermissionDeniedError, InvalidInputError) as error:
        return error
    return PermissionDeniedError(f"the policy denies {permission.value}: {decision.reason}")


def record_denial(
    *,
    uow_factory: UnitOfWorkFactory,
    audit: AuditTrail,
    actor: Actor,
    permission: Permission,
    resource_type: str,
    reason: str,
    stated_purpose: str | None = None,
) -> None:
    """Audit a refusal in its own transaction, so it stays recorded though the act fails.
    The purpose stated is kept when it is a declared name (a header may hold anything)."""
    detail: dict[str, str | int] = {"permission": permission.value, "reason": reason}
    if stated_purpose in PURPOSE_NAMES:
        detail["stated_purpose"] = stated_purpose
    draft = AuditDraft(
        actor=actor.label,
        action=AuditAction.ACCESS_DENIED,
        outcome=Outcome.DENIED,
        resource_type=resource_type,
        detail=detail,
        origin=actor.origin,
    )
    with uow_factory() as uow:
        audit.record(uow, [draft])
        uow.commit()
