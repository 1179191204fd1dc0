"""Login throttling: delays that grow, per (account, address), never a lockout from elsewhere."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from strongroom.access.throttling import Attempt, LoginThrottle, ThrottlePolicy
from strongroom.adapters.memory import MemoryUnitOfWorkFactory
from strongroom.core.models import Principal
from strongroom.core.staff import MfaMethod, StaffSession

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
POLICY = ThrottlePolicy()


@pytest.mark.parametrize(
    ("failures", "seconds"),
    [(0, 0), (2, 0), (3, 2), (4, 4), (5, 8), (8, 64), (12, 900), (40, 900)],
)
def test_the_pair_delay_doubles_after_three_failures_up_to_fifteen_minutes(
    failures: int, seconds: int
) -> None:
    delay = POLICY.delay(failures, POLICY.pair_free, POLICY.pair_ceiling)
    assert delay == timedelta(seconds=seconds)


def _fail(
    throttle: LoginThrottle, uow_factory: MemoryUnitOfWorkFactory, attempt: Attempt, n: int
) -> None:
    with uow_factory() as uow:
        for _ in range(n):
            throttle.failed(uow.staff, attempt, now=NOW)
        uow.commit()


def _wait(
    throttle: LoginThrottle, uow_factory: MemoryUnitOfWorkFactory, attempt: Attempt, at: datetime
) -> int:
    with uow_factory() as uow:
        return throttle.wait(uow.staff, attempt, now=at)


def test_guessing_from_one_address_slows_that_address_only() -> None:
    throttle, uow_factory = LoginThrottle(), MemoryUnitOfWorkFactory()
    attacker = Attempt("ann", "203.0.113.9", "p1")
    _fail(throttle, uow_factory, attacker, 6)
    assert _wait(throttle, uow_factory, attacker, NOW) == 16
    assert _wait(throttle, uow_factory, attacker, NOW + timedelta(seconds=16)) == 0
    assert _wait(throttle, uow_factory, Attempt("ann", "198.51.100.4", "p1"), NOW) == 0


def test_the_counters_are_forgotten_a_day_after_the_last_failure() -> None:
    throttle, uow_factory = LoginThrottle(), MemoryUnitOfWorkFactory()
    attacker = Attempt("ann", "203.0.113.9", None)
    _fail(throttle, uow_factory, attacker, 20)
    assert _wait(throttle, uow_factory, attacker, NOW + timedelta(minutes=10)) == 300
    assert _wait(throttle, uow_factory, attacker, NOW + timedelta(hours=25)) == 0


def test_one_address_spraying_many_accounts_is_slowed_for_every_account() -> None:
    throttle, uow_factory = LoginThrottle(), MemoryUnitOfWorkFactory()
    for number in range(31):
        _fail(throttle, uow_factory, Attempt(f"user{number}", "203.0.113.9", None), 1)
    assert _wait(throttle, uow_factory, Attempt("someone-new", "203.0.113.9", None), NOW) == 4


def test_a_botnet_on_one_account_never_slows_the_person_from_where_they_log_in() -> None:
    throttle, uow_factory = LoginThrottle(), MemoryUnitOfWorkFactory()
    with uow_factory() as uow:
        uow.principals.add(Principal("p1", "ann", "support", NOW - timedelta(days=40)))
        session = StaffSession(
            "s1",
            "p1",
            b"h" * 32,
            MfaMethod.TOTP,
            NOW - timedelta(days=3),
            NOW - timedelta(days=3),
            ip="192.0.2.10",
        )
        uow.staff.add_session(session)
        uow.commit()
    for number in range(25):
        _fail(throttle, uow_factory, Attempt("ann", f"203.0.113.{number}", "p1"), 1)
    assert _wait(throttle, uow_factory, Attempt("ann", "198.51.100.77", "p1"), NOW) > 0
    assert _wait(throttle, uow_factory, Attempt("ann", "192.0.2.10", "p1"), NOW) == 0


def test_a_successful_login_clears_the_pair_counter() -> None:
    throttle, uow_factory = LoginThrottle(), MemoryUnitOfWorkFactory()
    attempt = Attempt("ann", "203.0.113.9", "p1")
    _fail(throttle, uow_factory, attempt, 5)
    with uow_factory() as uow:
        throttle.succeeded(uow.staff, attempt)
        uow.commit()
    assert _wait(throttle, uow_factory, attempt, NOW) == 0
