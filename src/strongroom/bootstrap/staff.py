"""Wires staff access: accounts, login, security keys and sessions, from the settings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from strongroom.access.ceremonies import SecurityKeys
from strongroom.access.login import StaffLogin
from strongroom.access.passwords import Passwords
from strongroom.access.sessions import SessionGate, SessionTimeouts
from strongroom.access.staff import StaffAdmin
from strongroom.access.throttling import LoginThrottle
from strongroom.access.webauthn import RelyingParty
from strongroom.core.clock import Clock
from strongroom.core.ports import AuditTrail, UnitOfWorkFactory
from strongroom.settings import Settings
from strongroom.vault.tokenization import TokenKeys


@dataclass(frozen=True, slots=True)
class StaffAccess:
    admin: StaffAdmin  # the console's use cases
    login: StaffLogin  # password, TOTP and recovery-code logins
    keys: SecurityKeys  # WebAuthn ceremonies
    sessions: SessionGate  # srs_ tokens -> the acting person


def relying_party(settings: Settings) -> RelyingParty | None:
    if settings.webauthn_rp_id and settings.webauthn_origin:
        return RelyingParty(settings.webauthn_rp_id, settings.webauthn_origin)
    return None


def build_staff(
    settings: Settings,
    *,
    uow_factory: UnitOfWorkFactory,
    audit: AuditTrail,
    clock: Clock,
    keys: TokenKeys,
) -> StaffAccess:
    timeouts = SessionTimeouts(
        idle=timedelta(minutes=settings.session_idle_minutes),
        absolute=timedelta(minutes=settings.session_absolute_minutes),
    )
    passwords = Passwords()
    return StaffAccess(
        admin=StaffAdmin(
            uow_factory=uow_factory, audit=audit, clock=clock, passwords=passwords, keys=keys
        ),
        login=StaffLogin(
            uow_factory=uow_factory,
            audit=audit,
            clock=clock,
            passwords=passwords,
            keys=keys,
            throttle=LoginThrottle(),
            timeouts=timeouts,
        ),
        keys=SecurityKeys(
            uow_factory=uow_factory,
            audit=audit,
            clock=clock,
            relying_party=relying_party(settings),
            timeouts=timeouts,
        ),
        sessions=SessionGate(uow_factory=uow_factory, audit=audit, clock=clock, timeouts=timeouts),
    )
