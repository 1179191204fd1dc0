"""Role grants need four eyes: a staff principal is created with a role only with an approval a
second person gave for exactly that name and role.

A role is granted when a staff principal is created: by ``tokens create`` for a new name or by
``staff create``. Issuing a further token for a principal that already holds the role, or giving
such a principal a login account, grants nothing new and needs no approval; a different role for
an existing name is refused outright (roles are never changed in place).
"""

from __future__ import annotations

from dataclasses import dataclass

from strongroom.access.approvals import FourEyes
from strongroom.core.errors import ApprovalRequiredError
from strongroom.core.models import Actor
from strongroom.core.policy import Approval, ApprovalKind
from strongroom.core.ports import UnitOfWork


def role_grant_payload(name: str, role: str) -> str:
    """What an approval of a role grant binds: the principal's name and the role."""
    return f"role_grant:{name}:{role}"


def request_role_grant(four_eyes: FourEyes, *, actor: Actor, name: str, role: str) -> Approval:
    """Ask a second person to approve giving ``name`` the role ``role``."""
    return four_eyes.request(
        actor=actor,
        kind=ApprovalKind.ROLE_GRANT,
        payload=role_grant_payload(name, role),
        summary=f"grant the role {role} to {name}",
    )


def approved_role_grant(
    four_eyes: FourEyes, *, asker: Actor, approver: Actor, name: str, role: str
) -> Approval:
    """Both halves of four eyes in one process, for two people acting together (the demo's two
    operators): ``asker`` requests the grant, ``approver`` approves it; both steps are audited,
    and the grant itself must still be made by someone other than ``approver``."""
    asked = request_role_grant(four_eyes, actor=asker, name=name, role=role)
    return four_eyes.approve(actor=approver, approval_id=asked.id)


@dataclass(frozen=True, slots=True)
class GrantRefused:
    """Why a grant's approval did not allow it; ``audited`` records that once the grant's own
    transaction is left, and gives the error to raise."""

    four_eyes: FourEyes
    actor: Actor
    payload: str
    approval: Approval | None  # None: no approval was given at all
    problem: str

    def audited(self) -> ApprovalRequiredError:
        if self.approval is None:
            kind = ApprovalKind.ROLE_GRANT
            return self.four_eyes.missing(actor=self.actor, kind=kind, payload=self.payload)
        return self.four_eyes.refuse(self.actor, self.approval, self.problem)


def use_role_grant(
    four_eyes: FourEyes,
    uow: UnitOfWork,
    *,
    actor: Actor,
    name: str,
    role: str,
    approval_id: str | None,
) -> GrantRefused | None:
    """Use up the approval of giving ``name`` the role ``role`` inside ``uow``, so that it commits
    with the new principal; or why not, having changed nothing (the caller leaves ``uow``
    uncommitted and raises ``GrantRefused.audited()``)."""
    payload = role_grant_payload(name, role)
    if approval_id is None:
        return GrantRefused(four_eyes, actor, payload, None, "no approval given")
    approval, problem = four_eyes.use_in(
        uow, actor=actor, approval_id=approval_id, kind=ApprovalKind.ROLE_GRANT, payload=payload
    )
    if problem is None:
        return None
    return GrantRefused(four_eyes, actor, payload, approval, problem)
