"""Staff accounts, administered from the console: create, passwords, second factors, offboarding.

Disabling a person ends every session and revokes every API token of theirs in the same
transaction, so their next request with any credential is refused; enabling them again brings
none of those back.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from strongroom.access.approvals import FourEyes
from strongroom.access.ceremonies import ENROLMENT_PREFIX
from strongroom.access.credentials import new_id
from strongroom.access.mfa import (
    hash_recovery_code,
    new_recovery_codes,
    new_totp_secret,
    provisioning_uri,
    seal_totp_secret,
)
from strongroom.access.passwords import Passwords
from strongroom.access.policy import role_named
from strongroom.access.rolegrants import use_role_grant
from strongroom.access.sessions import ended_draft
from strongroom.access.staffaudit import staff_draft
from strongroom.access.tickets import Ticket, new_ticket
from strongroom.core.clock import Clock
from strongroom.core.errors import ConflictError, InvalidInputError, NotFoundError
from strongroom.core.models import Actor, Principal
from strongroom.core.ports import AuditTrail, UnitOfWork, UnitOfWorkFactory
from strongroom.core.staff import ChallengePurpose, StaffAccount, StaffSession
from strongroom.core.trail import AuditAction
from strongroom.vault.tokenization import TokenKeys


@dataclass(frozen=True, slots=True)
class Enrolment:
    name: str
    role: str
    code: str  # one-time: registers the person's first security key (shown once)
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class TotpEnrolment:
    secret: str  # base32, shown once for the authenticator app
    uri: str  # otpauth://, the same as a QR code


@dataclass(frozen=True, slots=True)
class Person:
    name: str
    role: str
    disabled: bool
    password: bool
    totp: bool
    security_keys: int
    recovery_codes_left: int
    needs_security_key: bool


@dataclass(frozen=True, slots=True)
class Offboarded:
    name: str
    sessions_ended: int
    tokens_revoked: int


class StaffAdmin:
    """Use cases of staff administration, each one audited transaction."""

    def __init__(
        self,
        *,
        uow_factory: UnitOfWorkFactory,
        audit: AuditTrail,
        clock: Clock,
        passwords: Passwords,
        keys: TokenKeys,
    ) -> None:
        self._uow_factory, self._audit, self._clock = uow_factory, audit, clock
        self.passwords, self._keys = passwords, keys
        self._four_eyes = FourEyes(uow_factory=uow_factory, audit=audit, clock=clock)

    def create(self, *, actor: Actor, name: str, role: str, approval_id: str | None) -> Enrolment:
        """A new person with ``role``, and a one-time enrolment code for their security key.

        A new principal is a role grant: it needs ``approval_id``, a second person's approval of
        ``role_grant_payload(name, role)``. A principal that already holds ``role`` (made by
        ``tokens create``) gets its login account without one: no role is granted."""
        role_named(role)
        if not name.strip() or len(name) > 100:
            raise InvalidInputError("a staff name needs 1 to 100 characters")
        now = self._clock.now()
        with self._uow_factory() as uow:
            principal = uow.principals.by_name(name)
            if principal is not None and (
                principal.role != role or uow.staff.account(principal.id)
            ):
                raise ConflictError(f"{name!r} already exists; choose another name")
            refused = None
            if principal is None:
                principal = Principal(new_id(), name, role, now)
                refused = use_role_grant(
                    self._four_eyes, uow, actor=actor, name=name, role=role, approval_id=approval_id
                )
                if refused is None:
                    uow.principals.add(principal)
            if refused is None:
                ticket = self._add_account(uow, actor, principal, now)
                uow.commit()
        if refused is not None:  # the transaction was left uncommitted: nothing was created
            raise refused.audited()
        return Enrolment(name, role, ticket.handle, ticket.challenge.expires_at)

    def _add_account(
        self, uow: UnitOfWork, actor: Actor, principal: Principal, now: datetime
    ) -> Ticket:
        uow.staff.add_account(StaffAccount(principal.id, now))
        ticket = new_ticket(ENROLMENT_PREFIX, principal, ChallengePurpose.ENROLMENT, now)
        uow.staff.add_challenge(ticket.challenge)
        detail: dict[str, str | int] = {"role": principal.role}
        draft = staff_draft(principal, AuditAction.STAFF_CREATED, detail, origin=None, actor=actor)
        self._audit.record(uow, [draft])
        return ticket

    def set_password(self, *, actor: Actor, name: str, password: str) -> None:
        """Check ``password`` against the policy and store its Argon2id hash."""
        self.passwords.check(password, name=name)
        hashed = self.passwords.hash(password)
        with self._uow_factory() as uow:
            principal, account = _person(uow, name)
            now = self._clock.now()
            uow.staff.update_account(
                replace(account, password_hash=hashed, password_changed_at=now)
            )
            draft = staff_draft(
                principal, AuditAction.PASSWORD_CHANGED, {}, origin=None, actor=actor
            )
            self._audit.record(uow, [draft])
            uow.commit()

    def enrol_totp(self, *, actor: Actor, name: str) -> TotpEnrolment:
        """A new TOTP secret for ``name`` (replacing any old one), sealed at rest."""
        secret = new_totp_secret()
        with self._uow_factory() as uow:
            principal, account = _person(uow, name)
            sealed = seal_totp_secret(self._keys, secret, principal_id=principal.id)
            uow.staff.update_account(replace(account, totp_secret=sealed, totp_last_step=None))
            self._enrolled(uow, actor, principal, "totp")
            uow.commit()
        return TotpEnrolment(secret, provisioning_uri(secret, name=name))

    def new_recovery_codes(self, *, actor: Actor, name: str) -> list[str]:
        """Ten new single-use recovery codes for ``name``; the old ones stop working."""
        codes = new_recovery_codes()
        with self._uow_factory() as uow:
            principal, _ = _person(uow, name)
            hashes = [hash_recovery_code(code, principal_id=principal.id) for code in codes]
            uow.staff.replace_recovery_codes(principal.id, hashes)
            self._enrolled(uow, actor, principal, "recovery_codes")
            uow.commit()
        return codes

    def enrolment_code(self, *, actor: Actor, name: str) -> Enrolment:
        """A new one-time code with which ``name`` registers a security key."""
        now = self._clock.now()
        with self._uow_factory() as uow:
            principal, _ = _person(uow, name)
            ticket = new_ticket(ENROLMENT_PREFIX, principal, ChallengePurpose.ENROLMENT, now)
            uow.staff.add_challenge(ticket.challenge)
            self._enrolled(uow, actor, principal, "enrolment_code")
            uow.commit()
        return Enrolment(name, principal.role, ticket.handle, ticket.challenge.expires_at)

    def disable(self, *, actor: Actor, name: str) -> Offboarded:
        """Disable ``name``: every session ends and every API token is revoked, at once."""
        now = self._clock.now()
        with self._uow_factory() as uow:
            principal, _ = _person(uow, name)
            uow.staff.set_disabled(principal.id, now)
            ended = uow.staff.end_sessions(principal.id, now)
            revoked = uow.staff.revoke_tokens(principal.id, now)
            detail: dict[str, str | int] = {"sessions": ended, "tokens": revoked}
            drafts = [
                staff_draft(principal, AuditAction.STAFF_DISABLED, detail, origin=None, actor=actor)
            ]
            if ended:
                drafts.append(ended_draft(actor, principal.id, ended, "disabled", None))
            self._audit.record(uow, drafts)
            uow.commit()
        return Offboarded(name, ended, revoked)

    def enable(self, *, actor: Actor, name: str) -> None:
        """Let ``name`` log in again (their old sessions and tokens stay ended)."""
        with self._uow_factory() as uow:
            principal, _ = _person(uow, name)
            uow.staff.set_disabled(principal.id, None)
            draft = staff_draft(principal, AuditAction.STAFF_ENABLED, {}, origin=None, actor=actor)
            self._audit.record(uow, [draft])
            uow.commit()

    def end_sessions(self, *, actor: Actor, name: str) -> int:
        """End every live session of ``name`` now; how many there were."""
        with self._uow_factory() as uow:
            principal, _ = _person(uow, name)
            ended = uow.staff.end_sessions(principal.id, self._clock.now())
            self._audit.record(
                uow, [ended_draft(actor, principal.id, ended, "ended by hand", None)]
            )
            uow.commit()
        return ended

    def people(self) -> list[Person]:
        with self._uow_factory() as uow:
            return [_summary(uow, principal) for principal in uow.staff.people()]

    def sessions(self, name: str) -> list[StaffSession]:
        with self._uow_factory() as uow:
            principal, _ = _person(uow, name)
            return uow.staff.sessions(principal.id)

    def _enrolled(self, uow: UnitOfWork, actor: Actor, principal: Principal, method: str) -> None:
        draft = staff_draft(
            principal, AuditAction.MFA_ENROLLED, {"method": method}, origin=None, actor=actor
        )
        self._audit.record(uow, [draft])


def _person(uow: UnitOfWork, name: str) -> tuple[Principal, StaffAccount]:
    principal = uow.principals.by_name(name)
    account = uow.staff.account(principal.id) if principal else None
    if principal is None or account is None:
        raise NotFoundError(f"no staff account {name!r}; `strongroom staff list` shows them")
    return principal, account


def _summary(uow: UnitOfWork, principal: Principal) -> Person:
    account = uow.staff.account(principal.id)
    assert account is not None  # people() lists principals with accounts only
    return Person(
        name=principal.name,
        role=principal.role,
        disabled=principal.disabled_at is not None,
        password=account.password_hash is not None,
        totp=account.totp_secret is not None,
        security_keys=len(uow.staff.credentials(principal.id)),
        recovery_codes_left=uow.staff.unused_recovery_codes(principal.id),
        needs_security_key=role_named(principal.role).needs_security_key,
    )
