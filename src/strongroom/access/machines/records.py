"""Audit entries of machine principals: their lifecycle, and every refusal as a security event."""

from __future__ import annotations

from strongroom.access.gate import authorise
from strongroom.access.permissions import Permission
from strongroom.core.models import Actor, CustomerId, JsonValue, PrincipalKind
from strongroom.core.ports import AuditTrail, UnitOfWorkFactory
from strongroom.core.schema import FIELDS_BY_NAME
from strongroom.core.trail import AuditAction, AuditDraft, Origin, Outcome


def admin_draft(
    actor: Actor,
    action: AuditAction,
    resource_type: str,
    resource_id: str,
    detail: dict[str, str | int] | None = None,
) -> AuditDraft:
    """An administrative act on a machine principal, done for the administration purpose."""
    return AuditDraft(
        actor=actor.label,
        action=action,
        outcome=Outcome.SUCCESS,
        resource_type=resource_type,
        resource_ids=(resource_id,),
        purpose="administration",
        detail=detail or {},
        origin=actor.origin,
    )


def authorise_admin(uow_factory: UnitOfWorkFactory, audit: AuditTrail, actor: Actor) -> None:
    """Only a role with machines.manage administers machine principals (audited if refused)."""
    authorise(
        uow_factory=uow_factory,
        audit=audit,
        actor=actor,
        permission=Permission.MACHINES_MANAGE,
        purpose=None,
        resource_type="machine",
    )


def record_refusal(
    uow_factory: UnitOfWorkFactory,
    audit: AuditTrail,
    *,
    action: AuditAction,
    who: str,
    resource_type: str,
    resource_id: str | None,
    detail: dict[str, str | int],
    origin: Origin | None,
) -> None:
    """Audit a refused machine request in its own transaction: the monitor watches these."""
    draft = AuditDraft(
        actor=who,
        action=action,
        outcome=Outcome.DENIED,
        resource_type=resource_type,
        resource_ids=(resource_id,) if resource_id else (),
        detail=detail,
        origin=origin,
    )
    with uow_factory() as uow:
        audit.record(uow, [draft])
        uow.commit()


def read_draft(
    actor: Actor, customer_id: CustomerId, shown: dict[str, JsonValue], purpose: str
) -> AuditDraft:
    """The audit entry of a machine's read: the fields' classes and names, never their values."""
    return AuditDraft(
        actor=actor.label,
        action=AuditAction.CUSTOMER_READ,
        outcome=Outcome.SUCCESS,
        resource_type="customer",
        resource_ids=(customer_id,),
        data_classes=tuple(sorted({FIELDS_BY_NAME[name].data_class.value for name in shown})),
        purpose=purpose,
        detail={"fields": ",".join(sorted(shown))},
        origin=actor.origin,
    )


ANONYMOUS = Actor(PrincipalKind.ANONYMOUS, "unknown").label
