"""Customers' grants to apps, and what an app reads with them (Cambridge Analytica 2018).

A grant is per customer, per app and per purpose, kept in its own append-only table rather than
in the consent ledger: a ledger row is per customer and purpose, so an app's grant written there
would also switch the purpose on for every other use. Every app read checks, in its own
transaction, that the newest decision for (customer, app, purpose) is a grant and that the
customer has not withdrawn the purpose in the consent ledger; so a withdrawal stops the very
next call, and one customer's grant never opens another customer's data.
"""

from __future__ import annotations

from dataclasses import dataclass

from strongroom.access.gate import authorise
from strongroom.access.machines.apps import APP_PURPOSE_FIELDS, AppCaller
from strongroom.access.machines.records import read_draft, record_refusal
from strongroom.access.permissions import PURPOSE_NAMES, Permission
from strongroom.access.profiles import decrypt_fields
from strongroom.core.clock import Clock
from strongroom.core.errors import (
    ConflictError,
    CustomerErasedError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
)
from strongroom.core.machines import AppGrant
from strongroom.core.models import Actor, CustomerId, JsonValue
from strongroom.core.ports import AuditTrail, UnitOfWork, UnitOfWorkFactory
from strongroom.core.trail import AuditAction, AuditDraft, Outcome
from strongroom.vault.service import SubjectVault


@dataclass(frozen=True, slots=True)
class AppView:
    id: CustomerId
    purpose: str
    fields: dict[str, JsonValue]


@dataclass(frozen=True, slots=True)
class AppGrants:
    """Records customers' grants to apps (staff with consent.manage) and serves app reads."""

    uow_factory: UnitOfWorkFactory
    vault: SubjectVault
    audit: AuditTrail
    clock: Clock

    def record(
        self,
        *,
        actor: Actor,
        customer_id: CustomerId,
        client_id: str,
        purpose: str,
        granted: bool,
        stated_purpose: str | None = None,
    ) -> AppGrant:
        """Append the customer's decision about ``client_id`` and ``purpose`` (audited)."""
        done_for = authorise(
            uow_factory=self.uow_factory,
            audit=self.audit,
            actor=actor,
            permission=Permission.CONSENT_MANAGE,
            purpose=stated_purpose,
        )
        grant = AppGrant(customer_id, client_id, purpose, granted, self.clock.now(), actor.label)
        with self.uow_factory() as uow:
            _check_grant(uow, grant)
            uow.apps.add_grant(grant)
            action = AuditAction.APP_GRANT_RECORDED if granted else AuditAction.APP_GRANT_REVOKED
            draft = AuditDraft(
                actor=actor.label,
                action=action,
                outcome=Outcome.SUCCESS,
                resource_type="customer",
                resource_ids=(customer_id,),
                purpose=done_for,
                detail={"client_id": client_id, "app_purpose": purpose},
                origin=actor.origin,
            )
            self.audit.record(uow, [draft])
            uow.commit()
        return grant

    def history(self, *, actor: Actor, customer_id: CustomerId) -> list[AppGrant]:
        """Every decision of the customer about apps, oldest first."""
        authorise(
            uow_factory=self.uow_factory,
            audit=self.audit,
            actor=actor,
            permission=Permission.CONSENT_MANAGE,
            purpose=None,
        )
        with self.uow_factory() as uow:
            return uow.apps.grants(customer_id)

    def read_customer(
        self, *, caller: AppCaller, customer_id: CustomerId, purpose: str | None
    ) -> AppView:
        """The fields ``purpose`` allows, if this customer granted this app that purpose."""
        stated = self._stated(caller, customer_id, purpose)
        with self.uow_factory() as uow:
            allowed = _granted(uow, customer_id, caller.app.client_id, stated)
            if allowed:
                shown = self._fields(uow, customer_id, APP_PURPOSE_FIELDS[stated])
                self.audit.record(uow, [read_draft(caller.actor, customer_id, shown, stated)])
                uow.commit()
        if not allowed:
            self._refuse(caller, customer_id, "no_grant", stated)
            raise PermissionDeniedError(
                "this customer has not granted this app that purpose (or withdrew it)"
            )
        return AppView(customer_id, stated, shown)

    def _stated(self, caller: AppCaller, customer_id: CustomerId, purpose: str | None) -> str:
        if not purpose:
            raise InvalidInputError("state the purpose: the purpose query parameter")
        if purpose not in PURPOSE_NAMES:
            self._refuse(caller, customer_id, "unknown_purpose", None)
            raise InvalidInputError(f"unknown purpose {purpose[:64]!r}")
        if purpose not in caller.scopes:
            self._refuse(caller, customer_id, "scope", purpose)
            raise PermissionDeniedError(
                f"this access token's scopes do not include {purpose!r}; ask for it at "
                "POST /oauth/token if the app was registered for it"
            )
        return purpose

    def _fields(
        self, uow: UnitOfWork, customer_id: CustomerId, fields: tuple[str, ...]
    ) -> dict[str, JsonValue]:
        stored = uow.customers.get_many([customer_id]).get(customer_id)
        if stored is None:
            raise NotFoundError(f"no customer with id {customer_id!r}")
        if customer_id not in uow.subject_keys.get_many([customer_id]):
            raise CustomerErasedError(f"customer {customer_id} was erased")
        plain = {**decrypt_fields(self.vault, uow, stored), **stored.demographics}
        return {name: plain[name] for name in fields if name in plain}

    def _refuse(
        self, caller: AppCaller, customer_id: CustomerId, reason: str, purpose: str | None
    ) -> None:
        detail: dict[str, str | int] = {"reason": reason}
        if purpose:
            detail["app_purpose"] = purpose
        record_refusal(
            self.uow_factory,
            self.audit,
            action=AuditAction.ACCESS_DENIED,
            who=caller.actor.label,
            resource_type="customer",
            resource_id=customer_id,
            detail=detail,
            origin=caller.actor.origin,
        )


def _granted(uow: UnitOfWork, customer_id: CustomerId, client_id: str, purpose: str) -> bool:
    """The app's grant is in force and the purpose is not withdrawn in the consent ledger."""
    if not uow.apps.grant_in_force(customer_id, client_id, purpose):
        return False
    return uow.consents.latest_for_customer(customer_id).get(purpose) is not False


def _check_grant(uow: UnitOfWork, grant: AppGrant) -> None:
    app = uow.apps.get(grant.client_id)
    if app is None:
        raise NotFoundError(f"no app with client id {grant.client_id!r}")
    if grant.purpose not in app.scopes:
        allowed = ", ".join(app.scopes)
        raise InvalidInputError(
            f"the app was not registered for {grant.purpose!r}; it was for: {allowed}"
        )
    if grant.granted and app.revoked_at is not None:
        raise ConflictError("the app was revoked; it cannot be granted anything")
    if not uow.customers.get_many([grant.customer_id]):
        raise NotFoundError(f"no customer with id {grant.customer_id!r}")
