"""Staff accounts: passwords, second factors, sessions, login throttles and ceremony challenges.

Domain types and the one repository port (``uow.staff``); the rules live in ``access``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from strongroom.core.models import Principal


class MfaMethod(StrEnum):
    """How the second factor of a session was proven."""

    WEBAUTHN = "webauthn"
    TOTP = "totp"
    RECOVERY_CODE = "recovery_code"


class ChallengePurpose(StrEnum):
    """What a stored, single-use challenge is for."""

    ENROLMENT = "enrolment"  # a one-time code from `staff create`: registers a first security key
    LOGIN = "login"  # the password step passed; a WebAuthn assertion must follow
    REGISTRATION = "registration"  # a WebAuthn registration ceremony in progress
    AUTHENTICATION = "authentication"  # a WebAuthn authentication ceremony in progress


@dataclass(frozen=True, slots=True)
class StaffAccount:
    """A person's login secrets; the principal row holds their name, role and disabled state."""

    principal_id: str
    created_at: datetime
    password_hash: str | None = None  # Argon2id, PHC string
    password_changed_at: datetime | None = None
    totp_secret: bytes | None = None  # sealed under the keyring's token key, never plaintext
    totp_last_step: int | None = None  # the last time-step accepted: each code works once


@dataclass(frozen=True, slots=True)
class WebAuthnCredential:
    id: bytes  # the credential id the authenticator chose
    principal_id: str
    public_key: bytes  # COSE
    sign_count: int
    created_at: datetime
    last_used_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class StaffSession:
    id: str
    principal_id: str
    token_hash: bytes  # SHA-256 of the srs_ token; the token itself is never stored
    mfa: MfaMethod
    created_at: datetime
    last_seen_at: datetime
    ip: str | None = None
    ended_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Challenge:
    """A single-use secret with a short life: taken (and so deleted) when used."""

    id: bytes  # SHA-256 of the handle the client holds
    principal_id: str
    purpose: ChallengePurpose
    value: bytes  # the WebAuthn challenge bytes; empty for enrolment and login tickets
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class Throttle:
    """Failed logins counted under one key: an (account, address) pair, an address, an account."""

    key: bytes  # SHA-256 of the key, so the table holds no usernames or addresses
    failures: int
    last_failure_at: datetime


class StaffRepository(Protocol):
    """Staff accounts and everything that proves who a person is."""

    def add_account(self, account: StaffAccount) -> None: ...

    def account(self, principal_id: str) -> StaffAccount | None: ...

    def update_account(self, account: StaffAccount) -> None: ...

    def principal(self, principal_id: str) -> Principal | None: ...

    def people(self) -> list[Principal]:
        """Principals with a staff account, by name."""
        ...

    def set_disabled(self, principal_id: str, when: datetime | None) -> None:
        """Disable the principal at ``when``, or enable it again with None."""
        ...

    def revoke_tokens(self, principal_id: str, when: datetime) -> int:
        """Revoke every live API token of the principal; how many were live."""
        ...

    def add_credential(self, credential: WebAuthnCredential) -> None: ...

    def credentials(self, principal_id: str) -> list[WebAuthnCredential]: ...

    def record_use(self, credential_id: bytes, sign_count: int, when: datetime) -> None:
        """Store the authenticator's new signature counter after an accepted assertion."""
        ...

    def replace_recovery_codes(self, principal_id: str, code_hashes: Sequence[bytes]) -> None: ...

    def use_recovery_code(self, principal_id: str, code_hash: bytes, when: datetime) -> bool:
        """Mark an unused code used; False when there is no such unused code."""
        ...

    def unused_recovery_codes(self, principal_id: str) -> int: ...

    def add_session(self, session: StaffSession) -> None: ...

    def session_by_hash(self, token_hash: bytes) -> tuple[StaffSession, Principal] | None:
        """A live (not ended) session and its principal, whatever the principal's state."""
        ...

    def touch_session(self, session_id: str, when: datetime) -> None: ...

    def end_sessions(
        self, principal_id: str, when: datetime, *, session_id: str | None = None
    ) -> int:
        """End the principal's live sessions (or just one); how many were live."""
        ...

    def sessions(self, principal_id: str) -> list[StaffSession]:
        """The principal's sessions, newest first, ended ones included."""
        ...

    def signed_in_from(self, principal_id: str, ip: str, since: datetime) -> bool:
        """Whether a session of the principal began from ``ip`` at or after ``since``."""
        ...

    def throttle(self, key: bytes) -> Throttle | None: ...

    def save_throttle(self, throttle: Throttle) -> None: ...

    def clear_throttle(self, key: bytes) -> None: ...

    def add_challenge(self, challenge: Challenge) -> None: ...

    def take_challenge(self, challenge_id: bytes) -> Challenge | None:
        """Remove and return the challenge: a second take of the same one finds nothing."""
        ...
