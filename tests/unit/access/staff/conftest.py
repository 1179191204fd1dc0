"""Staff access on the in-memory fakes, with a clock the tests move by hand."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

import pytest

from strongroom.access.approvals import FourEyes
from strongroom.access.login import StaffLogin
from strongroom.access.passwords import HashParameters, Passwords
from strongroom.access.rolegrants import approved_role_grant
from strongroom.access.sessions import SessionGate, SessionTimeouts
from strongroom.access.staff import StaffAdmin
from strongroom.access.throttling import LoginThrottle
from strongroom.adapters.memory import MemoryUnitOfWorkFactory
from strongroom.audit.service import AuditLog
from strongroom.core.models import Actor, PrincipalKind
from strongroom.vault.keyring import KeyKind, Keyring

CHEAP = HashParameters(time_cost=1, memory_kib=64, parallelism=1)  # fast, for tests only
PASSWORD = "correct horse battery staple"
OPERATOR = Actor(PrincipalKind.LOCAL, "operator", role="admin")
APPROVER = Actor(PrincipalKind.LOCAL, "second-operator", role="admin")


class MovingClock:
    def __init__(self) -> None:
        self.moment = datetime(2026, 3, 2, 9, 0, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.moment

    def advance(self, **delta: float) -> None:
        self.moment += timedelta(**delta)


class Kit:
    """Everything a staff test needs, wired to the fakes."""

    def __init__(self) -> None:
        self.clock = MovingClock()
        self.uow_factory = MemoryUnitOfWorkFactory()
        self.audit = AuditLog(self.clock)
        self.keys = Keyring({KeyKind.TOKEN: {1: os.urandom(32)}})
        self.passwords = Passwords(CHEAP)
        self.timeouts = SessionTimeouts(idle=timedelta(minutes=15), absolute=timedelta(hours=8))
        common = {"uow_factory": self.uow_factory, "audit": self.audit, "clock": self.clock}
        self.admin = StaffAdmin(**common, passwords=self.passwords, keys=self.keys)
        self.login = StaffLogin(
            **common,
            passwords=self.passwords,
            keys=self.keys,
            throttle=LoginThrottle(),
            timeouts=self.timeouts,
        )
        self.sessions = SessionGate(**common, timeouts=self.timeouts)
        self.four_eyes = FourEyes(**common)

    def person(self, name: str, role: str = "support") -> None:
        """A new person: the role grant approved by a second operator (four eyes)."""
        grant = approved_role_grant(
            self.four_eyes, asker=OPERATOR, approver=APPROVER, name=name, role=role
        )
        self.admin.create(actor=OPERATOR, name=name, role=role, approval_id=grant.id)
        self.admin.set_password(actor=OPERATOR, name=name, password=PASSWORD)

    def actions(self) -> list[str]:
        with self.uow_factory() as uow:
            return [entry.draft.action.stored_name for entry in uow.audit.scan()]


@pytest.fixture
def kit() -> Kit:
    return Kit()
