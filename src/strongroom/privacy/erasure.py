"""Right to erasure (GDPR Art. 17) for a tracked request: a verified erasure request is carried
out by crypto-shredding (access/erasure.py), which signs the receipt, appends it to the erasure
ledger and audits the erasure. Refused under a legal hold, like every erasure."""

from __future__ import annotations

from dataclasses import dataclass

from strongroom.access.erasure import ErasureService
from strongroom.core.models import Actor
from strongroom.core.ports import AuditTrail, UnitOfWorkFactory
from strongroom.core.privacy import RequestKind
from strongroom.privacy.requests import authorise_dsar, verified_request
from strongroom.vault.receipts import ErasureReceipt


@dataclass(frozen=True, slots=True)
class RequestEraser:
    uow_factory: UnitOfWorkFactory
    audit: AuditTrail
    erasure: ErasureService

    def erase(self, *, actor: Actor, request_id: str, reason: str | None = None) -> ErasureReceipt:
        """Erase the person who made erasure request ``request_id``; returns the signed receipt.

        Needs ``privacy.manage`` (the request) and ``customers.erase`` (the erasure). The
        receipt's reason names the request, so the receipt leads back to it.
        """
        authorise_dsar(self.uow_factory, self.audit, actor)
        with self.uow_factory() as uow:
            request = verified_request(
                uow, request_id, kind=RequestKind.ERASURE, act="erase only for"
            )
        stated = f"data-subject request {request.id}"
        return self.erasure.erase_customer(
            actor=actor,
            customer_id=request.customer_id,
            reason=f"{stated}: {reason.strip()}" if reason and reason.strip() else stated,
            purpose="dsar",
        )
