"""The consent ledger: every decision per customer and purpose, with where it came from and the
wording the person saw. Nothing is overwritten; the newest decision per purpose is in force."""

from __future__ import annotations

from dataclasses import dataclass

from strongroom.access.gate import authorise
from strongroom.access.permissions import CONSENT_PURPOSES, PURPOSE_NAMES, Permission
from strongroom.core.clock import Clock
from strongroom.core.errors import InvalidInputError, NotFoundError
from strongroom.core.models import Actor, Consent, CustomerId
from strongroom.core.ports import AuditTrail, UnitOfWork, UnitOfWorkFactory
from strongroom.core.trail import AuditAction, AuditDraft, Outcome

MAX_WORDING_VERSION = 100


@dataclass(frozen=True, slots=True)
class ConsentLedger:
    """Records and reads consent decisions for staff and the policy."""

    uow_factory: UnitOfWorkFactory
    audit: AuditTrail
    clock: Clock

    def record(
        self,
        *,
        actor: Actor,
        customer_id: CustomerId,
        purpose: str,
        granted: bool,
        wording_version: str | None,
        stated_purpose: str | None = None,
    ) -> Consent:
        """Append a decision the customer made outside tracking (a form, a call, a letter)."""
        _check_purpose(purpose)
        version = _check_wording(wording_version)
        done_for = authorise(
            uow_factory=self.uow_factory,
            audit=self.audit,
            actor=actor,
            permission=Permission.CONSENT_MANAGE,
            purpose=stated_purpose,
        )
        consent = Consent(customer_id, purpose, granted, actor.label, self.clock.now(), version)
        with self.uow_factory() as uow:
            _require_customer(uow, customer_id)
            uow.consents.add([consent])
            self.audit.record(uow, [_recorded(actor, consent, done_for)])
            uow.commit()
        return consent

    def read_history(self, *, actor: Actor, customer_id: CustomerId) -> list[Consent]:
        """Every decision for the customer, oldest first, for staff who manage consent."""
        authorise(
            uow_factory=self.uow_factory,
            audit=self.audit,
            actor=actor,
            permission=Permission.CONSENT_MANAGE,
            purpose=None,
        )
        with self.uow_factory() as uow:
            _require_customer(uow, customer_id)
            return uow.consents.history(customer_id)


def _check_purpose(purpose: str) -> None:
    if purpose not in PURPOSE_NAMES:
        known = ", ".join(sorted(CONSENT_PURPOSES))
        raise InvalidInputError(f"unknown purpose {purpose!r}; consent is given for: {known}")
    if purpose not in CONSENT_PURPOSES:
        raise InvalidInputError(
            f"the purpose {purpose!r} does not rest on consent; consent is recorded for: "
            + ", ".join(sorted(CONSENT_PURPOSES))
        )


def _check_wording(version: str | None) -> str | None:
    if version is None:
        return None
    text = version.strip()
    if not text or len(text) > MAX_WORDING_VERSION or not text.isprintable():
        raise InvalidInputError(
            f"the wording version must be 1-{MAX_WORDING_VERSION} printable characters, "
            "e.g. 'newsletter-2026-03'"
        )
    return text


def _require_customer(uow: UnitOfWork, customer_id: CustomerId) -> None:
    if customer_id not in uow.customers.get_many([customer_id]):
        raise NotFoundError(f"no customer with id {customer_id!r}")


def _recorded(actor: Actor, consent: Consent, purpose: str) -> AuditDraft:
    detail: dict[str, str | int] = {
        "consent_purpose": consent.purpose,
        "granted": int(consent.granted),
    }
    if consent.wording_version:
        detail["wording_version"] = consent.wording_version
    return AuditDraft(
        actor=actor.label,
        action=AuditAction.CONSENT_RECORDED,
        outcome=Outcome.SUCCESS,
        resource_type="customer",
        resource_ids=(consent.customer_id,),
        purpose=purpose,
        detail=detail,
        origin=actor.origin,
    )
