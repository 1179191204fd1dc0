"""Right to erasure (GDPR Art. 17) for a tracked request: a verified erasure request is carried
out by crypto-shredding (access/erasure.py), which signs the receipt, appends it to the erasure
ledger and audits the erasure. Refused under a legal hold, like every erasure."""

from __future__ import annotations

from dataclasses import dataclass

from strongroom.access.erasure import ErasureService
from strongroom.core.errors import ConflictError, NotFoundError
from strongroom.core.models import Actor
from strongroom.core.ports import AuditTrail, UnitOfWork, UnitOfWorkFactory
from strongroom.core.privacy import DataSubjectRequest, RequestKind, RequestStatus
from strongroom.privacy.requests import authorise_dsar
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
            request = _erasure_request(uow, request_id)
        stated = f"data-subject request {request.id}"
        return self.erasure.erase_customer(
            actor=actor,
            customer_id=request.customer_id,
            reason=f"{stated}: {reason.strip()}" if reason and reason.strip() else stated,
            purpose="dsar",
        )


def _erasure_request(uow: UnitOfWork, request_id: str) -> DataSubjectRequest:
    request = uow.privacy_requests.get(request_id)
    if request is None:
        raise NotFoundError(f"no data-subject request with id {request_id!r}")
    if request.kind is not RequestKind.ERASURE:
        raise ConflictError(f"request {request_id} is a {request.kind.value} request, not erasure")
    if request.status is not RequestStatus.VERIFIED:
        raise ConflictError(
            f"request {request_id} is {request.status.value}: erase only for an open request "
            "whose requester's identity was verified (`strongroom dsar verify`)"
        )
    return request
