"""WebAuthn ceremonies: register a security key, and log in with one.

Every ceremony starts from something single-use the server handed out (a login ticket after the
password, an enrolment code, or a live session) and stores its challenge server-side, hashed
handle only, for two minutes; the answer is checked once, then the challenge is gone, whatever
the outcome.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from strongroom.access.login import LOGIN_TICKET_PREFIX, issue_session
from strongroom.access.sessions import IssuedSession, SessionTimeouts
from strongroom.access.staffaudit import failed_draft, staff_draft
from strongroom.access.tickets import new_ticket, take_ticket
from strongroom.access.webauthn import RelyingParty
from strongroom.core.clock import Clock
from strongroom.core.errors import AuthenticationError, ConfigurationError, StrongroomError
from strongroom.core.models import Actor, Principal
from strongroom.core.ports import AuditTrail, UnitOfWork, UnitOfWorkFactory
from strongroom.core.staff import ChallengePurpose, MfaMethod
from strongroom.core.trail import AuditAction, Origin

CEREMONY_PREFIX = "src"
ENROLMENT_PREFIX = "sre"


@dataclass(frozen=True, slots=True)
class Ceremony:
    id: str  # the handle to send back with the authenticator's answer
    options: dict[str, Any]  # for navigator.credentials.create() / get()


class SecurityKeys:
    """Registration and authentication ceremonies against the configured relying party."""

    def __init__(
        self,
        *,
        uow_factory: UnitOfWorkFactory,
        audit: AuditTrail,
        clock: Clock,
        relying_party: RelyingParty | None,
        timeouts: SessionTimeouts,
    ) -> None:
        self._uow_factory, self._audit, self._clock = uow_factory, audit, clock
        self._rp, self._timeouts = relying_party, timeouts

    @property
    def relying_party(self) -> RelyingParty:
        if self._rp is None:
            raise ConfigurationError(
                "security keys are not configured: set STRONGROOM_WEBAUTHN_RP_ID and "
                "STRONGROOM_WEBAUTHN_ORIGIN and restart"
            )
        return self._rp

    def begin_login(self, login_ticket: str | None, *, origin: Origin | None) -> Ceremony:
        """Options for the key of the person whose password step ``login_ticket`` proves."""
        rp = self.relying_party
        with self._uow_factory() as uow:
            principal = self._holder(uow, login_ticket, ChallengePurpose.LOGIN, origin)
            options, challenge = rp.authentication_options(uow.staff.credentials(principal.id))
            handle = self._start(uow, principal, ChallengePurpose.AUTHENTICATION, challenge)
            uow.commit()
        return Ceremony(handle, options)

    def finish_login(
        self, ceremony_id: str | None, credential: dict[str, Any], *, origin: Origin | None
    ) -> IssuedSession:
        """A WebAuthn session, if the key's signed answer is for this site and this challenge."""
        rp, now = self.relying_party, self._clock.now()
        with self._uow_factory() as uow:
            try:
                challenge = take_ticket(
                    uow.staff, ceremony_id, ChallengePurpose.AUTHENTICATION, now=now
                )
                principal = self._live(uow, challenge.principal_id)
                known = uow.staff.credentials(principal.id)
                used, count = rp.verify_authentication(credential, challenge.value, known)
            except StrongroomError as error:
                self._audit.record(uow, [failed_draft(None, "webauthn", error.code, origin)])
                uow.commit()  # the challenge stays used: an answer is checked once
                raise
            uow.staff.record_use(used.id, count, now)
            issued = issue_session(
                uow,
                self._audit,
                principal,
                mfa=MfaMethod.WEBAUTHN,
                origin=origin,
                now=now,
                timeouts=self._timeouts,
            )
            uow.commit()
        return issued

    def begin_registration(
        self, *, actor: Actor | None, enrolment_code: str | None, origin: Origin | None
    ) -> Ceremony:
        """Options to register a key: for the session's own person, or an enrolment code's."""
        rp = self.relying_party
        with self._uow_factory() as uow:
            if actor is not None and actor.principal_id is not None:
                principal = self._live(uow, actor.principal_id)
            else:
                principal = self._holder(uow, enrolment_code, ChallengePurpose.ENROLMENT, origin)
            existing = uow.staff.credentials(principal.id)
            options, challenge = rp.registration_options(principal, existing)
            handle = self._start(uow, principal, ChallengePurpose.REGISTRATION, challenge)
            uow.commit()
        return Ceremony(handle, options)

    def finish_registration(
        self, ceremony_id: str | None, credential: dict[str, Any], *, origin: Origin | None
    ) -> None:
        """Store the new key, if the authenticator's answer is for this site and challenge."""
        rp, now = self.relying_party, self._clock.now()
        with self._uow_factory() as uow:
            try:
                challenge = take_ticket(
                    uow.staff, ceremony_id, ChallengePurpose.REGISTRATION, now=now
                )
                principal = self._live(uow, challenge.principal_id)
                stored = rp.verify_registration(
                    credential, challenge.value, principal_id=principal.id, now=now
                )
            except StrongroomError as error:
                self._audit.record(uow, [failed_draft(None, "webauthn", error.code, origin)])
                uow.commit()
                raise
            uow.staff.add_credential(stored)
            detail: dict[str, str | int] = {"method": "webauthn"}
            draft = staff_draft(principal, AuditAction.MFA_ENROLLED, detail, origin=origin)
            self._audit.record(uow, [draft])
            uow.commit()

    def _holder(
        self,
        uow: UnitOfWork,
        handle: str | None,
        purpose: ChallengePurpose,
        origin: Origin | None,
    ) -> Principal:
        try:
            challenge = take_ticket(uow.staff, handle, purpose, now=self._clock.now())
            return self._live(uow, challenge.principal_id)
        except StrongroomError as error:
            self._audit.record(uow, [failed_draft(None, purpose.value, error.code, origin)])
            uow.commit()  # the refusal is kept, and a misused handle stays used
            raise

    def _live(self, uow: UnitOfWork, principal_id: str) -> Principal:
        principal = uow.staff.principal(principal_id)
        if principal is None or principal.disabled_at is not None:
            raise AuthenticationError("the account is disabled; ask an administrator")
        return principal

    def _start(
        self, uow: UnitOfWork, principal: Principal, purpose: ChallengePurpose, challenge: bytes
    ) -> str:
        now: datetime = self._clock.now()
        ticket = new_ticket(CEREMONY_PREFIX, principal, purpose, now, value=challenge)
        uow.staff.add_challenge(ticket.challenge)
        return ticket.handle


__all__ = ["CEREMONY_PREFIX", "ENROLMENT_PREFIX", "LOGIN_TICKET_PREFIX", "Ceremony", "SecurityKeys"]
