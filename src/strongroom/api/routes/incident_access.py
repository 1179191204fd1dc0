"""Who may use the incident routes: a staff member whose role holds ``incidents.manage``."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from strongroom.access.gate import authorise
from strongroom.access.permissions import Permission
from strongroom.api.deps import AppDep, CurrentActor
from strongroom.core.models import Actor


def incident_responder(app: AppDep, actor: CurrentActor) -> Actor:
    """The acting staff member, if the policy lets them manage incidents (else 403, audited)."""
    authorise(
        uow_factory=app.uow_factory,
        audit=app.audit,
        actor=actor,
        permission=Permission.INCIDENTS_MANAGE,
        purpose=None,
        resource_type="incident",
    )
    return actor


Responder = Annotated[Actor, Depends(incident_responder)]
