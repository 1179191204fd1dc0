"""Staff login: password, then a second factor, then a new session; security keys for some roles.

A role that ``needs_security_key`` (see access/permissions.py) only ever gets a session from a
WebAuthn assertion. A password and TOTP code relayed by a phishing proxy are refused with
``webauthn_required`` and yield nothing; the WebAuthn answer such a proxy could relay names the
proxy's origin and is refused too (access/webauthn.py).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from strongroom.access.mfa import accepted_step, hash_recovery_code, open_totp_secret
from strongroom.access.passwords import Passwords
from strongroom.access.policy import role_named
from strongroom.access.sessions import IssuedSession, SessionTimeouts, start_session
from strongroom.access.staffaudit import failed_draft, staff_draft
from strongroom.access.throttling import Attempt, LoginThrottle
from strongroom.access.tickets import Ticket, new_ticket
from strongroom.core.clock import Clock
from strongroom.core.errors import (
    AuthenticationError,
    PermissionDeniedError,
    RateLimitedError,
    StrongroomError,
    WebAuthnRequiredError,
)
from strongroom.core.models import Principal
from strongroom.core.ports import AuditTrail, UnitOfWork, UnitOfWorkFactory
from strongroom.core.staff import ChallengePurpose, MfaMethod, StaffAccount
from strongroom.core.trail import AuditAction, Origin, Outcome
from strongroom.vault.tokenization import TokenKeys

LOGIN_TICKET_PREFIX = "srl"
_WRONG = "wrong username or password, or the account is disabled"


@dataclass(frozen=True, slots=True)
class LoginRequest:
    username: str
    password: str
    totp: str | None = None
    recovery_code: str | None = None
    origin: Origin | None = None

    @property
    def address(self) -> str:
        return (self.origin.ip if self.origin else None) or "unknown"


@dataclass(frozen=True, slots=True)
class SecondFactorNeeded:
    """The password was right; log in again with one of ``methods`` (no session yet)."""

    methods: tuple[str, ...]
    login_ticket: str | None  # for the WebAuthn ceremony, when the person has a key


LoginOutcome = IssuedSession | SecondFactorNeeded


@dataclass(frozen=True, slots=True)
class _Step:
    """A login in progress: its transaction, request, throttle key and time."""

    uow: UnitOfWork
    request: LoginRequest
    attempt: Attempt
    now: datetime


class StaffLogin:
    """The password and TOTP/recovery-code steps of a staff login."""

    def __init__(
        self,
        *,
        uow_factory: UnitOfWorkFactory,
        audit: AuditTrail,
        clock: Clock,
        passwords: Passwords,
        keys: TokenKeys,
        throttle: LoginThrottle,
        timeouts: SessionTimeouts,
    ) -> None:
        self._uow_factory, self._audit, self._clock = uow_factory, audit, clock
        self._passwords, self._keys, self._throttle = passwords, keys, throttle
        self.timeouts = timeouts

    def login(self, request: LoginRequest) -> LoginOutcome:
        """Check the password (throttled), then the second factor; a session or what is missing."""
        now = self._clock.now()
        with self._uow_factory() as uow:
            try:
                outcome = self._login(uow, request, now)
            except StrongroomError:
                uow.commit()  # the audit entries and throttle counts of the refusal
                raise
            uow.commit()
        return outcome

    def _login(self, uow: UnitOfWork, request: LoginRequest, now: datetime) -> LoginOutcome:
        principal = uow.principals.by_name(request.username)
        account = uow.staff.account(principal.id) if principal else None
        known = principal if account else None
        attempt = Attempt(request.username, request.address, known.id if known else None)
        wait = self._throttle.wait(uow.staff, attempt, now=now)
        if wait:
            self._fail(uow, attempt, request, "password", "throttled", count=False)
            raise RateLimitedError(
                f"too many failed logins for this account from here: wait {wait} s and try again",
                retry_after=wait,
            )
        right = self._passwords.verify(account.password_hash if account else None, request.password)
        if not right or known is None or account is None or known.disabled_at is not None:
            self._fail(uow, attempt, request, "password", "wrong password")
            raise AuthenticationError(_WRONG)
        if self._passwords.needs_rehash(str(account.password_hash)):
            uow.staff.update_account(
                replace(account, password_hash=self._passwords.hash(request.password))
            )
        return self._second_factor(_Step(uow, request, attempt, now), known, account)

    def _second_factor(
        self, step: _Step, principal: Principal, account: StaffAccount
    ) -> LoginOutcome:
        uow, request, now = step.uow, step.request, step.now
        has_keys = bool(uow.staff.credentials(principal.id))
        if role_named(principal.role).needs_security_key:
            return self._security_key_only(uow, principal, has_keys, request, now)
        if request.totp:
            return self._with_totp(step, principal, account)
        if request.recovery_code:
            return self._with_recovery_code(step, principal)
        methods = [
            *(["totp"] if account.totp_secret else []),
            *(["recovery_code"] if uow.staff.unused_recovery_codes(principal.id) else []),
            *(["webauthn"] if has_keys else []),
        ]
        if not methods:
            self._refuse(uow, principal, request, "no second factor enrolled")
            raise PermissionDeniedError(
                "no second factor is enrolled for this person: ask an administrator "
                "(`strongroom staff totp enrol` or an enrolment code for a security key)"
            )
        ticket = self._ticket(uow, principal, now) if has_keys else None
        return SecondFactorNeeded(tuple(methods), ticket)

    def _security_key_only(
        self,
        uow: UnitOfWork,
        principal: Principal,
        has_keys: bool,
        request: LoginRequest,
        now: datetime,
    ) -> LoginOutcome:
        if request.totp or request.recovery_code or not has_keys:
            reason = "security key required" if has_keys else "no security key registered"
            self._refuse(uow, principal, request, reason)
            raise WebAuthnRequiredError(
                f"the role {principal.role!r} logs in only with a security key (WebAuthn), "
                "which a look-alike site cannot phish: "
                + (
                    "log in with the password alone, then answer the WebAuthn challenge"
                    if has_keys
                    else "register one with the enrolment code from your administrator"
                )
            )
        return SecondFactorNeeded(("webauthn",), self._ticket(uow, principal, now))

    def _with_totp(self, step: _Step, principal: Principal, account: StaffAccount) -> IssuedSession:
        uow, request, now, attempt = step.uow, step.request, step.now, step.attempt
        time_step = None
        if account.totp_secret is not None:
            secret = open_totp_secret(self._keys, account.totp_secret, principal_id=principal.id)
            code = str(request.totp).strip()
            time_step = accepted_step(secret, code, now=now, last_step=account.totp_last_step)
        if time_step is None:
            self._fail(uow, attempt, request, "totp", "wrong or reused code")
            raise AuthenticationError("wrong, expired or already used code; wait for a new one")
        uow.staff.update_account(replace(account, totp_last_step=time_step))
        return self._issue(step, principal, MfaMethod.TOTP)

    def _with_recovery_code(self, step: _Step, principal: Principal) -> IssuedSession:
        uow, request, now, attempt = step.uow, step.request, step.now, step.attempt
        code_hash = hash_recovery_code(str(request.recovery_code), principal_id=principal.id)
        if not uow.staff.use_recovery_code(principal.id, code_hash, now):
            self._fail(uow, attempt, request, "recovery_code", "wrong or used code")
            raise AuthenticationError("wrong or already used recovery code")
        left = uow.staff.unused_recovery_codes(principal.id)
        draft = staff_draft(
            principal, AuditAction.RECOVERY_CODE_USED, {"left": left}, origin=request.origin
        )
        self._audit.record(uow, [draft])
        return self._issue(step, principal, MfaMethod.RECOVERY_CODE)

    def _issue(self, step: _Step, principal: Principal, mfa: MfaMethod) -> IssuedSession:
        self._throttle.succeeded(step.uow.staff, step.attempt)
        return issue_session(
            step.uow,
            self._audit,
            principal,
            mfa=mfa,
            origin=step.request.origin,
            now=step.now,
            timeouts=self.timeouts,
        )

    def _ticket(self, uow: UnitOfWork, principal: Principal, now: datetime) -> str:
        ticket: Ticket = new_ticket(LOGIN_TICKET_PREFIX, principal, ChallengePurpose.LOGIN, now)
        uow.staff.add_challenge(ticket.challenge)
        return ticket.handle

    def _fail(
        self,
        uow: UnitOfWork,
        attempt: Attempt,
        request: LoginRequest,
        credential: str,
        reason: str,
        *,
        count: bool = True,
    ) -> None:
        if count:
            self._throttle.failed(uow.staff, attempt, now=self._clock.now())
        draft = failed_draft(attempt.principal_id, credential, reason, request.origin)
        self._audit.record(uow, [draft])

    def _refuse(
        self, uow: UnitOfWork, principal: Principal, request: LoginRequest, reason: str
    ) -> None:
        draft = staff_draft(
            principal,
            AuditAction.STAFF_LOGIN_REFUSED,
            {"reason": reason},
            origin=request.origin,
            outcome=Outcome.DENIED,
        )
        self._audit.record(uow, [draft])


def issue_session(
    uow: UnitOfWork,
    audit: AuditTrail,
    principal: Principal,
    *,
    mfa: MfaMethod,
    origin: Origin | None,
    now: datetime,
    timeouts: SessionTimeouts,
) -> IssuedSession:
    """A new session for ``principal``, audited as a login (the caller commits)."""
    ip = origin.ip if origin else None
    issued = start_session(uow, principal=principal, mfa=mfa, ip=ip, now=now, timeouts=timeouts)
    draft = staff_draft(principal, AuditAction.STAFF_LOGIN, {"mfa": mfa.value}, origin=origin)
    audit.record(uow, [draft])
    return issued
