"""Holds on disclosure: a person under legal hold is neither exported nor erased, and while an
incident has frozen exports nothing is exported at all."""

from __future__ import annotations

from strongroom.core.errors import ConflictError, LegalHoldError
from strongroom.core.models import CustomerId
from strongroom.core.ports import UnitOfWork


def refuse_under_hold(uow: UnitOfWork, customer_id: CustomerId, *, act: str) -> None:
    """LegalHoldError when an active legal hold covers ``customer_id``."""
    holds = uow.legal_holds.active_for([customer_id])
    if holds:
        raise LegalHoldError(
            f"customer {customer_id} is under legal hold {holds[0].id}: no {act} until the hold "
            "is released (`strongroom holds release`)"
        )


def refuse_if_exports_frozen(uow: UnitOfWork, *, act: str) -> None:
    """ConflictError while an incident has frozen exports (a containment step)."""
    freeze = uow.incidents.export_freeze()
    if freeze is not None:
        raise ConflictError(
            f"exports are frozen by incident {freeze.incident_id} since "
            f"{freeze.frozen_at.isoformat()}: no {act} until the incident thaws them"
        )
