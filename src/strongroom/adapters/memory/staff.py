"""Fake of StaffRepository, and the state it keeps in ``MemoryStore.staff``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from strongroom.adapters.memory.staff_state import StaffState
from strongroom.adapters.memory.store import Staging, as_utc, check_new
from strongroom.core.clock import ensure_utc
from strongroom.core.errors import ConflictError, NotFoundError
from strongroom.core.models import Principal
from strongroom.core.staff import (
    Challenge,
    StaffAccount,
    StaffSession,
    Throttle,
    WebAuthnCredential,
)


class MemoryStaffRepository:
    """Fake of StaffRepository."""

    def __init__(self, staging: Staging) -> None:
        self._staging = staging

    @property
    def _state(self) -> StaffState:
        state: StaffState = self._staging.store.staff
        return state

    def _principal_exists(self, principal_id: str) -> None:
        if principal_id not in self._staging.store.principals:
            raise ConflictError("the change conflicts with stored data (unknown principal)")

    def add_account(self, account: StaffAccount) -> None:
        self._principal_exists(account.principal_id)
        check_new(self._state.accounts, [account.principal_id], "staff account")
        self._state.accounts[account.principal_id] = as_utc(account)

    def account(self, principal_id: str) -> StaffAccount | None:
        return self._state.accounts.get(principal_id)

    def update_account(self, account: StaffAccount) -> None:
        if account.principal_id not in self._state.accounts:
            raise NotFoundError(f"no staff account for principal {account.principal_id!r}")
        self._state.accounts[account.principal_id] = as_utc(account)

    def principal(self, principal_id: str) -> Principal | None:
        return self._staging.store.principals.get(principal_id)

    def people(self) -> list[Principal]:
        found = [self._staging.store.principals[pid] for pid in self._state.accounts]
        return sorted(found, key=lambda principal: principal.name)

    def set_disabled(self, principal_id: str, when: datetime | None) -> None:
        principal = self.principal(principal_id)
        if principal is None:
            raise NotFoundError(f"no principal {principal_id!r}")
        disabled_at = None if when is None else ensure_utc(when)
        self._staging.store.principals[principal_id] = replace(principal, disabled_at=disabled_at)

    def revoke_tokens(self, principal_id: str, when: datetime) -> int:
        tokens = self._staging.store.tokens
        live = [t for t in tokens.values() if t.principal_id == principal_id and not t.revoked_at]
        for token in live:
            tokens[token.id] = replace(token, revoked_at=ensure_utc(when))
        return len(live)

    def add_credential(self, credential: WebAuthnCredential) -> None:
        self._principal_exists(credential.principal_id)
        check_new(self._state.credentials, [credential.id], "WebAuthn credential")
        self._state.credentials[credential.id] = as_utc(credential)

    def credentials(self, principal_id: str) -> list[WebAuthnCredential]:
        found = [c for c in self._state.credentials.values() if c.principal_id == principal_id]
        return sorted(found, key=lambda c: (c.created_at, c.id))

    def record_use(self, credential_id: bytes, sign_count: int, when: datetime) -> None:
        credential = self._state.credentials.get(credential_id)
        if credential is None:
            raise NotFoundError("no such WebAuthn credential")
        used = replace(credential, sign_count=sign_count, last_used_at=ensure_utc(when))
        self._state.credentials[credential_id] = used

    def replace_recovery_codes(self, principal_id: str, code_hashes: Sequence[bytes]) -> None:
        self._principal_exists(principal_id)
        codes = self._state.recovery_codes
        for key in [key for key in codes if key[0] == principal_id]:
            del codes[key]
        check_new(set(), [(principal_id, h) for h in code_hashes], "recovery code")
        codes.update({(principal_id, h): None for h in code_hashes})

    def use_recovery_code(self, principal_id: str, code_hash: bytes, when: datetime) -> bool:
        key = (principal_id, code_hash)
        codes = self._state.recovery_codes
        if key not in codes or codes[key] is not None:
            return False
        codes[key] = ensure_utc(when)
        return True

    def unused_recovery_codes(self, principal_id: str) -> int:
        codes = self._state.recovery_codes.items()
        return sum(1 for (pid, _), used in codes if pid == principal_id and used is None)

    def add_session(self, session: StaffSession) -> None:
        self._principal_exists(session.principal_id)
        sessions = self._state.sessions
        check_new(sessions, [session.id], "session id")
        check_new({s.token_hash for s in sessions.values()}, [session.token_hash], "session")
        sessions[session.id] = as_utc(session)

    def session_by_hash(self, token_hash: bytes) -> tuple[StaffSession, Principal] | None:
        for session in self._state.sessions.values():
            if session.token_hash == token_hash and session.ended_at is None:
                return session, self._staging.store.principals[session.principal_id]
        return None

    def touch_session(self, session_id: str, when: datetime) -> None:
        session = self._state.sessions.get(session_id)
        if session is not None:
            self._state.sessions[session_id] = replace(session, last_seen_at=ensure_utc(when))

    def end_sessions(
        self, principal_id: str, when: datetime, *, session_id: str | None = None
    ) -> int:
        live = [
            s
            for s in self._state.sessions.values()
            if s.principal_id == principal_id and s.ended_at is None and session_id in (None, s.id)
        ]
        for session in live:
            self._state.sessions[session.id] = replace(session, ended_at=ensure_utc(when))
        return len(live)

    def sessions(self, principal_id: str) -> list[StaffSession]:
        found = [s for s in self._state.sessions.values() if s.principal_id == principal_id]
        found.sort(key=lambda s: s.id)
        return sorted(found, key=lambda s: s.created_at, reverse=True)

    def signed_in_from(self, principal_id: str, ip: str, since: datetime) -> bool:
        return any(
            s.principal_id == principal_id and s.ip == ip and s.created_at >= since
            for s in self._state.sessions.values()
        )

    def throttle(self, key: bytes) -> Throttle | None:
        return self._state.throttles.get(key)

    def save_throttle(self, throttle: Throttle) -> None:
        self._state.throttles[throttle.key] = as_utc(throttle)

    def clear_throttle(self, key: bytes) -> None:
        self._state.throttles.pop(key, None)

    def add_challenge(self, challenge: Challenge) -> None:
        self._principal_exists(challenge.principal_id)
        check_new(self._state.challenges, [challenge.id], "challenge")
        self._state.challenges[challenge.id] = as_utc(challenge)

    def take_challenge(self, challenge_id: bytes) -> Challenge | None:
        return self._state.challenges.pop(challenge_id, None)
