"""Staff sessions: ``srs_`` bearer tokens from a CSPRNG, stored only hashed, with timeouts.

A login always makes a new session (and so a new token): nothing a client held before login is
ever promoted. A session ends after ``idle`` without use or ``absolute`` after login, when its
person is disabled, or when its role now needs a security key it was not made with.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from strongroom.access.credentials import hash_secret, new_id, new_secret
from strongroom.access.policy import role_named
from strongroom.core.clock import Clock
from strongroom.core.errors import AuthenticationError
from strongroom.core.models import Actor, Principal, PrincipalKind
from strongroom.core.ports import AuditTrail, UnitOfWork, UnitOfWorkFactory
from strongroom.core.staff import MfaMethod, StaffSession
from strongroom.core.trail import AuditAction, AuditDraft, Origin, Outcome

SESSION_PREFIX = "srs"
MAX_SESSION_TOKEN_LENGTH = 200
_TOUCH_EVERY = timedelta(seconds=30)  # fewer writes: last use is kept to within 30 s


@dataclass(frozen=True, slots=True)
class SessionTimeouts:
    idle: timedelta = timedelta(minutes=15)
    absolute: timedelta = timedelta(hours=8)


@dataclass(frozen=True, slots=True)
class IssuedSession:
    id: str
    token: str  # the only time it exists outside the client
    principal_name: str
    role: str
    mfa: MfaMethod
    expires_at: datetime  # the absolute end; idle use ends it sooner


def is_session_token(token: str | None) -> bool:
    return bool(token) and str(token).startswith(f"{SESSION_PREFIX}_")


def start_session(
    uow: UnitOfWork,
    *,
    principal: Principal,
    mfa: MfaMethod,
    ip: str | None,
    now: datetime,
    timeouts: SessionTimeouts,
) -> IssuedSession:
    """Add a new session for ``principal`` in ``uow`` (the caller audits and commits)."""
    token = new_secret(SESSION_PREFIX)
    session = StaffSession(new_id(), principal.id, hash_secret(token), mfa, now, now, ip)
    uow.staff.add_session(session)
    expires = now + timeouts.absolute
    return IssuedSession(session.id, token, principal.name, principal.role, mfa, expires)


class SessionGate:
    """Turns a session token into the acting person, ending sessions that ran out."""

    def __init__(
        self,
        *,
        uow_factory: UnitOfWorkFactory,
        audit: AuditTrail,
        clock: Clock,
        timeouts: SessionTimeouts,
    ) -> None:
        self._uow_factory, self._audit, self._clock = uow_factory, audit, clock
        self.timeouts = timeouts

    def authenticate(self, token: str | None, *, origin: Origin | None = None) -> Actor:
        """The staff actor of a live session; AuthenticationError (audited) for anything else."""
        now = self._clock.now()
        problem = "malformed session token"
        if is_session_token(token) and len(str(token)) <= MAX_SESSION_TOKEN_LENGTH:
            with self._uow_factory() as uow:
                found = uow.staff.session_by_hash(hash_secret(str(token)))
                problem = "unknown or ended session" if found is None else ""
                if found is not None:
                    session, principal = found
                    problem = self._why_over(session, principal, now)
                    self._keep_or_end(
                        uow, session, principal, problem=problem, now=now, origin=origin
                    )
                if not problem:
                    return Actor(
                        PrincipalKind.STAFF, principal.name, principal.role, principal.id, origin
                    )
        self._refuse(problem, origin)
        raise AssertionError("unreachable")  # pragma: no cover - _refuse raises

    def end(self, token: str | None, *, origin: Origin | None = None) -> None:
        """Log out: end the session of ``token`` at once."""
        now = self._clock.now()
        with self._uow_factory() as uow:
            found = uow.staff.session_by_hash(hash_secret(token or ""))
            if found is not None and is_session_token(token):
                session, principal = found
                uow.staff.end_sessions(principal.id, now, session_id=session.id)
                actor = Actor(PrincipalKind.STAFF, principal.name, principal.role, principal.id)
                self._audit.record(uow, [ended_draft(actor, principal.id, 1, "logout", origin)])
                uow.commit()
                return
        self._refuse("unknown or ended session", origin)

    def _why_over(self, session: StaffSession, principal: Principal, now: datetime) -> str:
        if principal.disabled_at is not None:
            return "the person is disabled"
        if now - session.last_seen_at > self.timeouts.idle:
            return "the session was idle too long"
        if now - session.created_at > self.timeouts.absolute:
            return "the session reached its maximum age"
        if role_named(principal.role).needs_security_key and session.mfa != MfaMethod.WEBAUTHN:
            return "the role now needs a security key"
        return ""

    def _keep_or_end(
        self,
        uow: UnitOfWork,
        session: StaffSession,
        principal: Principal,
        *,
        problem: str,
        now: datetime,
        origin: Origin | None,
    ) -> None:
        if problem:
            uow.staff.end_sessions(principal.id, now, session_id=session.id)
            actor = Actor(PrincipalKind.STAFF, principal.name, principal.role, principal.id)
            self._audit.record(uow, [ended_draft(actor, principal.id, 1, problem, origin)])
        elif now - session.last_seen_at >= _TOUCH_EVERY:
            uow.staff.touch_session(session.id, now)
        else:
            return
        uow.commit()

    def _refuse(self, problem: str, origin: Origin | None) -> None:
        draft = AuditDraft(
            actor=Actor(PrincipalKind.ANONYMOUS, "unknown").label,
            action=AuditAction.AUTH_FAILED,
            outcome=Outcome.DENIED,
            resource_type="credential",
            detail={"credential": "staff_session", "reason": problem},
            origin=origin,
        )
        with self._uow_factory() as uow:
            self._audit.record(uow, [draft])
            uow.commit()
        raise AuthenticationError(
            f"{problem}; log in again at /api/v1/auth/login and send "
            "'Authorization: Bearer srs_...'"
        )


def ended_draft(
    actor: Actor, principal_id: str, count: int, reason: str, origin: Origin | None
) -> AuditDraft:
    """The audit entry for ``count`` sessions of ``principal_id`` that ended, and why."""
    return AuditDraft(
        actor=actor.label,
        action=AuditAction.SESSION_ENDED,
        outcome=Outcome.SUCCESS,
        resource_type="staff_account",
        resource_ids=(principal_id,),
        detail={"sessions": count, "reason": reason},
        origin=origin or actor.origin,
    )
