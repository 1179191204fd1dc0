"""Data-subject requests: logged with their legal due date, identity verification recorded,
closed with what was done. GDPR Art. 12(3) gives one month from receipt."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime

from strongroom.access.gate import authorise
from strongroom.access.permissions import Permission
from strongroom.core.clock import Clock, ensure_utc
from strongroom.core.errors import ConflictError, InvalidInputError, NotFoundError
from strongroom.core.models import Actor, CustomerId
from strongroom.core.ports import AuditTrail, UnitOfWork, UnitOfWorkFactory
from strongroom.core.privacy import DataSubjectRequest, RequestKind, RequestStatus, due_date
from strongroom.core.trail import AuditAction, AuditDraft, Outcome
from strongroom.privacy.notes import checked_note


def authorise_dsar(uow_factory: UnitOfWorkFactory, audit: AuditTrail, actor: Actor) -> str:
    """The purpose (``dsar``) of a privacy.manage act; refused, and audited, for others."""
    return authorise(
        uow_factory=uow_factory,
        audit=audit,
        actor=actor,
        permission=Permission.PRIVACY_MANAGE,
        purpose="dsar",
    )


@dataclass(frozen=True, slots=True)
class RequestDesk:
    """Where staff log and answer data-subject requests."""

    uow_factory: UnitOfWorkFactory
    audit: AuditTrail
    clock: Clock

    def open(
        self,
        *,
        actor: Actor,
        customer_id: CustomerId,
        kind: RequestKind,
        received_at: datetime | None = None,
        verification: str | None = None,
    ) -> DataSubjectRequest:
        """Log a request; its due date is one month after receipt."""
        purpose = self._authorise(actor)
        now = self.clock.now()
        received = ensure_utc(received_at) if received_at else now
        if received > now:
            raise InvalidInputError("a request cannot be received in the future")
        request = DataSubjectRequest(
            id=str(uuid.uuid4()),
            customer_id=customer_id,
            kind=kind,
            status=RequestStatus.RECEIVED,
            received_at=received,
            due_at=due_date(received),
            opened_by=actor.label,
        )
        if verification is not None:
            request = _verified(request, actor, checked_note(verification, "verification"), now)
        with self.uow_factory() as uow:
            if customer_id not in uow.customers.get_many([customer_id]):
                raise NotFoundError(
                    f"no customer with id {customer_id!r}: find the person first "
                    "(`strongroom customers find`), or answer that no data is held"
                )
            uow.privacy_requests.add(request)
            self.audit.record(uow, [_draft(actor, AuditAction.DSAR_OPENED, request, purpose)])
            uow.commit()
        return request

    def verify(self, *, actor: Actor, request_id: str, verification: str) -> DataSubjectRequest:
        """Record how the requester's identity was verified."""
        purpose = self._authorise(actor)
        note = checked_note(verification, "verification")
        with self.uow_factory() as uow:
            request = _open_request(uow, request_id)
            if request.status is not RequestStatus.RECEIVED:
                raise ConflictError(f"request {request_id} is already {request.status.value}")
            request = _verified(request, actor, note, self.clock.now())
            uow.privacy_requests.update(request)
            self.audit.record(uow, [_draft(actor, AuditAction.DSAR_VERIFIED, request, purpose)])
            uow.commit()
        return request

    def close(
        self, *, actor: Actor, request_id: str, completed: bool, outcome: str
    ) -> DataSubjectRequest:
        """Complete a verified request, or refuse one, saying what was done or why not."""
        purpose = self._authorise(actor)
        note = checked_note(outcome, "outcome")
        with self.uow_factory() as uow:
            request = _open_request(uow, request_id)
            if completed:
                _check_can_complete(uow, request)
            status = RequestStatus.COMPLETED if completed else RequestStatus.REFUSED
            request = replace(request, status=status, closed_at=self.clock.now(), outcome=note)
            uow.privacy_requests.update(request)
            self.audit.record(uow, [_draft(actor, AuditAction.DSAR_CLOSED, request, purpose)])
            uow.commit()
        return request

    def list(self, *, actor: Actor, open_only: bool, limit: int = 100) -> list[DataSubjectRequest]:
        """Requests by due date, soonest first."""
        self._authorise(actor)
        with self.uow_factory() as uow:
            return list(uow.privacy_requests.list(open_only=open_only, limit=limit))

    def get(
        self, *, actor: Actor, request_id: str, customer_id: CustomerId | None = None
    ) -> DataSubjectRequest:
        """One request; with ``customer_id``, also checks the request is that customer's."""
        self._authorise(actor)
        with self.uow_factory() as uow:
            if customer_id is not None and not uow.customers.get_many([customer_id]):
                raise NotFoundError(f"no customer with id {customer_id!r}: nothing was done")
            request = uow.privacy_requests.get(request_id)
        if request is None:
            raise NotFoundError(f"no data-subject request with id {request_id!r}")
        if customer_id is not None and request.customer_id != customer_id:
            raise ConflictError(
                f"request {request_id} is about another customer, not {customer_id}: "
                "check both ids (`strongroom dsar list`)"
            )
        return request

    def _authorise(self, actor: Actor) -> str:
        return authorise_dsar(self.uow_factory, self.audit, actor)


def _verified(
    request: DataSubjectRequest, actor: Actor, note: str, now: datetime
) -> DataSubjectRequest:
    return replace(
        request,
        status=RequestStatus.VERIFIED,
        verification=note,
        verified_by=actor.label,
        verified_at=now,
    )


def verified_request(
    uow: UnitOfWork, request_id: str, *, kind: RequestKind, act: str
) -> DataSubjectRequest:
    """Request ``request_id``, which must be a ``kind`` request whose requester was verified.

    ``act`` completes the refusal, e.g. "erase only for" (an open request whose ...)."""
    request = uow.privacy_requests.get(request_id)
    if request is None:
        raise NotFoundError(f"no data-subject request with id {request_id!r}")
    if request.kind is not kind:
        raise ConflictError(
            f"request {request_id} is a {request.kind.value} request, not {kind.value}"
        )
    if request.status is not RequestStatus.VERIFIED:
        raise ConflictError(
            f"request {request_id} is {request.status.value}: {act} an open request "
            "whose requester's identity was verified (`strongroom dsar verify`)"
        )
    return request


def _open_request(uow: UnitOfWork, request_id: str) -> DataSubjectRequest:
    request = uow.privacy_requests.get(request_id)
    if request is None:
        raise NotFoundError(f"no data-subject request with id {request_id!r}")
    if not request.status.is_open:
        raise ConflictError(f"request {request_id} is already {request.status.value}")
    return request


def _check_can_complete(uow: UnitOfWork, request: DataSubjectRequest) -> None:
    if request.status is not RequestStatus.VERIFIED:
        raise ConflictError(
            f"request {request.id} cannot be completed before the requester's identity is "
            "verified (`strongroom dsar verify`)"
        )
    erased = not uow.subject_keys.get_many([request.customer_id])
    if request.kind is RequestKind.ERASURE and not erased:
        raise ConflictError(
            f"request {request.id} asks for erasure, and customer {request.customer_id} is not "
            "erased yet: run `strongroom customers erase` first"
        )


def _draft(
    actor: Actor, action: AuditAction, request: DataSubjectRequest, purpose: str
) -> AuditDraft:
    return AuditDraft(
        actor=actor.label,
        action=action,
        outcome=Outcome.SUCCESS,
        resource_type="customer",
        resource_ids=(request.customer_id,),
        purpose=purpose,
        detail={
            "request": request.id,
            "kind": request.kind.value,
            "status": request.status.value,
            "due_at": request.due_at.isoformat(),
        },
        origin=actor.origin,
    )
