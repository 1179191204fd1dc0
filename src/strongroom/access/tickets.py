"""Single-use handles for the steps of a login or enrolment, stored server-side only hashed."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from strongroom.access.credentials import new_secret
from strongroom.core.errors import AuthenticationError
from strongroom.core.models import Principal
from strongroom.core.staff import Challenge, ChallengePurpose, StaffRepository

MAX_HANDLE_LENGTH = 200
LIFETIMES = {
    ChallengePurpose.ENROLMENT: timedelta(hours=24),
    ChallengePurpose.LOGIN: timedelta(minutes=5),
    ChallengePurpose.REGISTRATION: timedelta(minutes=2),
    ChallengePurpose.AUTHENTICATION: timedelta(minutes=2),
}


@dataclass(frozen=True, slots=True)
class Ticket:
    handle: str  # what the client holds, once
    challenge: Challenge  # what the server stores


def handle_id(handle: str) -> bytes:
    return hashlib.sha256(handle.encode("utf-8")).digest()


def new_ticket(
    prefix: str,
    principal: Principal,
    purpose: ChallengePurpose,
    now: datetime,
    *,
    value: bytes = b"",
) -> Ticket:
    """A fresh handle for ``purpose`` and the challenge row that remembers it."""
    handle = new_secret(prefix)
    expires = now + LIFETIMES[purpose]
    return Ticket(handle, Challenge(handle_id(handle), principal.id, purpose, value, expires))


def take_ticket(
    repo: StaffRepository, handle: str | None, purpose: ChallengePurpose, *, now: datetime
) -> Challenge:
    """Use up the handle's challenge; AuthenticationError if unknown, used, expired or misused."""
    what = purpose.value.replace("_", " ")
    if not handle or len(handle) > MAX_HANDLE_LENGTH:
        raise AuthenticationError(f"a {what} handle is needed; start again")
    challenge = repo.take_challenge(handle_id(handle))
    if challenge is None or challenge.purpose != purpose or challenge.expires_at < now:
        raise AuthenticationError(f"unknown, used or expired {what} handle; start again")
    return challenge
