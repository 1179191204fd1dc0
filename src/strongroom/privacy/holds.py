"""Legal holds: placed and released by staff with a reason, audited. While a hold is active the
person's data is neither exported nor erased (see access/holds.py)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from strongroom.core.clock import Clock
from strongroom.core.errors import NotFoundError
from strongroom.core.models import Actor, CustomerId
from strongroom.core.ports import AuditTrail, UnitOfWorkFactory
from strongroom.core.privacy import LegalHold
from strongroom.core.trail import AuditAction, AuditDraft, Outcome
from strongroom.privacy.notes import checked_note
from strongroom.privacy.requests import authorise_dsar


@dataclass(frozen=True, slots=True)
class LegalHolds:
    uow_factory: UnitOfWorkFactory
    audit: AuditTrail
    clock: Clock

    def place(self, *, actor: Actor, customer_id: CustomerId, reason: str) -> LegalHold:
        """Hold the customer's data: no export and no erasure until released."""
        purpose = self._authorise(actor)
        hold = LegalHold(
            id=str(uuid.uuid4()),
            customer_id=customer_id,
            reason=checked_note(reason, "reason"),
            placed_by=actor.label,
            placed_at=self.clock.now(),
        )
        with self.uow_factory() as uow:
            if customer_id not in uow.customers.get_many([customer_id]):
                raise NotFoundError(f"no customer with id {customer_id!r}")
            uow.legal_holds.add(hold)
            self.audit.record(uow, [_draft(actor, AuditAction.LEGAL_HOLD_PLACED, hold, purpose)])
            uow.commit()
        return hold

    def release(self, *, actor: Actor, hold_id: str) -> LegalHold:
        purpose = self._authorise(actor)
        with self.uow_factory() as uow:
            hold = uow.legal_holds.release(
                hold_id, released_by=actor.label, released_at=self.clock.now()
            )
            draft = _draft(actor, AuditAction.LEGAL_HOLD_RELEASED, hold, purpose)
            self.audit.record(uow, [draft])
            uow.commit()
        return hold

    def list(self, *, actor: Actor, active_only: bool) -> list[LegalHold]:
        self._authorise(actor)
        with self.uow_factory() as uow:
            return list(uow.legal_holds.list(active_only=active_only))

    def _authorise(self, actor: Actor) -> str:
        return authorise_dsar(self.uow_factory, self.audit, actor)


def _draft(actor: Actor, action: AuditAction, hold: LegalHold, purpose: str) -> AuditDraft:
    return AuditDraft(
        actor=actor.label,
        action=action,
        outcome=Outcome.SUCCESS,
        resource_type="customer",
        resource_ids=(hold.customer_id,),
        purpose=purpose,
        detail={"hold": hold.id},
        origin=actor.origin,
    )
