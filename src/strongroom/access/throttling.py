"""Login throttling that slows guessing down without letting an attacker lock anyone out.

Three counters of failed logins, each with a delay that doubles with every failure past a free
allowance, up to a ceiling, and forgotten a day after the last failure:

- per (account, address) pair: the main brake. Guessing one person's password from one address
  soon means waiting minutes between tries, while that person, from their own address, is
  untouched: nobody can lock another person out from elsewhere;
- per address, over all accounts: stops one address spraying many accounts;
- per account, over all addresses: stops a guessing botnet, but applies only to addresses the
  person has not logged in from in the last 30 days, so their usual places keep working.

A throttled attempt is refused before the password is checked and does not count as a failure.
The counters are keyed by SHA-256 of the key, so the table holds no names or addresses.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from strongroom.core.staff import StaffRepository, Throttle


@dataclass(frozen=True, slots=True)
class ThrottlePolicy:
    pair_free: int = 3
    address_free: int = 30
    account_free: int = 20
    first_delay: timedelta = timedelta(seconds=2)
    pair_ceiling: timedelta = timedelta(minutes=15)
    address_ceiling: timedelta = timedelta(hours=1)
    account_ceiling: timedelta = timedelta(minutes=15)
    forget_after: timedelta = timedelta(hours=24)
    known_address_for: timedelta = timedelta(days=30)

    def delay(self, failures: int, free: int, ceiling: timedelta) -> timedelta:
        """How long to wait after the last of ``failures``: none within the free allowance."""
        if failures < free:
            return timedelta(0)
        doublings = min(failures - free, 30)  # 2 s * 2**30 is far past any ceiling
        return min(ceiling, self.first_delay * (1 << doublings))


@dataclass(frozen=True, slots=True)
class Attempt:
    """Who a login attempt names and where it comes from."""

    username: str
    address: str
    principal_id: str | None  # None when no such person exists


def _key(*parts: str) -> bytes:
    return hashlib.sha256("\x00".join(parts).encode("utf-8")).digest()


class LoginThrottle:
    """Reads and updates the failure counters inside the caller's unit of work."""

    def __init__(self, policy: ThrottlePolicy | None = None) -> None:
        self.policy = policy or ThrottlePolicy()

    def _counters(self, attempt: Attempt) -> list[tuple[bytes, int, timedelta]]:
        name, policy = attempt.username.casefold(), self.policy
        return [
            (_key("pair", name, attempt.address), policy.pair_free, policy.pair_ceiling),
            (_key("address", attempt.address), policy.address_free, policy.address_ceiling),
            (_key("account", name), policy.account_free, policy.account_ceiling),
        ]

    def wait(self, repo: StaffRepository, attempt: Attempt, *, now: datetime) -> int:
        """Whole seconds the attempt must still wait; 0 when it may go ahead."""
        longest = timedelta(0)
        counters = self._counters(attempt)
        if self._known_address(repo, attempt, now):
            counters = counters[:2]  # the person's usual places never feel the account brake
        for key, free, ceiling in counters:
            throttle = self._live(repo, key, now)
            if throttle is not None:
                until = throttle.last_failure_at + self.policy.delay(
                    throttle.failures, free, ceiling
                )
                longest = max(longest, until - now)
        return int(-(-longest.total_seconds() // 1))  # rounded up

    def failed(self, repo: StaffRepository, attempt: Attempt, *, now: datetime) -> None:
        """Count one failed login against every counter of the attempt."""
        for key, _, _ in self._counters(attempt):
            throttle = self._live(repo, key, now)
            failures = 1 if throttle is None else throttle.failures + 1
            repo.save_throttle(Throttle(key, failures, now))

    def succeeded(self, repo: StaffRepository, attempt: Attempt) -> None:
        """A right password clears the pair's counter (not the address's or the account's)."""
        repo.clear_throttle(self._counters(attempt)[0][0])

    def _live(self, repo: StaffRepository, key: bytes, now: datetime) -> Throttle | None:
        throttle = repo.throttle(key)
        if throttle is None or now - throttle.last_failure_at > self.policy.forget_after:
            return None
        return throttle

    def _known_address(self, repo: StaffRepository, attempt: Attempt, now: datetime) -> bool:
        if attempt.principal_id is None:
            return False
        since = now - self.policy.known_address_for
        return repo.signed_in_from(attempt.principal_id, attempt.address, since)
