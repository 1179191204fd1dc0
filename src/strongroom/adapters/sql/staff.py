"""SQL repository of staff accounts, second factors, sessions, throttles and challenges."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, exists, func, insert, select, update
from sqlalchemy.engine import Connection, Row

from strongroom.adapters.sql._support import write
from strongroom.adapters.sql.credentials import _principal, joined_principal, principal_columns
from strongroom.adapters.sql.tables import api_tokens, principals
from strongroom.adapters.sql.tables_staff import (
    auth_challenges,
    login_throttles,
    recovery_codes,
    staff_accounts,
    staff_sessions,
    webauthn_credentials,
)
from strongroom.core.errors import NotFoundError
from strongroom.core.models import Principal
from strongroom.core.staff import (
    Challenge,
    ChallengePurpose,
    MfaMethod,
    StaffAccount,
    StaffSession,
    Throttle,
    WebAuthnCredential,
)


def _account_row(account: StaffAccount) -> dict[str, Any]:
    return {
        "principal_id": account.principal_id,
        "created_at": account.created_at,
        "password_hash": account.password_hash,
        "password_changed_at": account.password_changed_at,
        "totp_secret": account.totp_secret,
        "totp_last_step": account.totp_last_step,
    }


def _session(row: Row[Any]) -> StaffSession:
    return StaffSession(
        id=row.id,
        principal_id=row.principal_id,
        token_hash=row.token_hash,
        mfa=MfaMethod(row.mfa),
        created_at=row.created_at,
        last_seen_at=row.last_seen_at,
        ip=row.ip,
        ended_at=row.ended_at,
    )


def _credential(row: Row[Any]) -> WebAuthnCredential:
    return WebAuthnCredential(
        id=row.id,
        principal_id=row.principal_id,
        public_key=row.public_key,
        sign_count=row.sign_count,
        created_at=row.created_at,
        last_used_at=row.last_used_at,
    )


class SqlStaffRepository:
    """Staff accounts and everything that proves who a person is."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    # --- accounts and principals ---------------------------------------------------------------

    def add_account(self, account: StaffAccount) -> None:
        write(self._connection, insert(staff_accounts), [_account_row(account)])

    def account(self, principal_id: str) -> StaffAccount | None:
        statement = select(staff_accounts).where(staff_accounts.c.principal_id == principal_id)
        row = self._connection.execute(statement).first()
        return None if row is None else StaffAccount(**row._mapping)

    def update_account(self, account: StaffAccount) -> None:
        values = _account_row(account)
        del values["principal_id"]
        statement = (
            update(staff_accounts)
            .where(staff_accounts.c.principal_id == account.principal_id)
            .values(**values)
        )
        if self._connection.execute(statement).rowcount == 0:
            raise NotFoundError(f"no staff account for principal {account.principal_id!r}")

    def principal(self, principal_id: str) -> Principal | None:
        statement = select(principals).where(principals.c.id == principal_id)
        row = self._connection.execute(statement).first()
        return None if row is None else _principal(row)

    def people(self) -> list[Principal]:
        statement = (
            select(principals)
            .join(staff_accounts, staff_accounts.c.principal_id == principals.c.id)
            .order_by(principals.c.name)
        )
        return [_principal(row) for row in self._connection.execute(statement)]

    def set_disabled(self, principal_id: str, when: datetime | None) -> None:
        statement = (
            update(principals).where(principals.c.id == principal_id).values(disabled_at=when)
        )
        if self._connection.execute(statement).rowcount == 0:
            raise NotFoundError(f"no principal {principal_id!r}")

    def revoke_tokens(self, principal_id: str, when: datetime) -> int:
        statement = (
            update(api_tokens)
            .where(api_tokens.c.principal_id == principal_id, api_tokens.c.revoked_at.is_(None))
            .values(revoked_at=when)
        )
        return self._connection.execute(statement).rowcount

    # --- WebAuthn credentials and recovery codes -----------------------------------------------

    def add_credential(self, credential: WebAuthnCredential) -> None:
        row = {
            "id": credential.id,
            "principal_id": credential.principal_id,
            "public_key": credential.public_key,
            "sign_count": credential.sign_count,
            "created_at": credential.created_at,
            "last_used_at": credential.last_used_at,
        }
        write(self._connection, insert(webauthn_credentials), [row])

    def credentials(self, principal_id: str) -> list[WebAuthnCredential]:
        statement = (
            select(webauthn_credentials)
            .where(webauthn_credentials.c.principal_id == principal_id)
            .order_by(webauthn_credentials.c.created_at, webauthn_credentials.c.id)
        )
        return [_credential(row) for row in self._connection.execute(statement)]

    def record_use(self, credential_id: bytes, sign_count: int, when: datetime) -> None:
        statement = (
            update(webauthn_credentials)
            .where(webauthn_credentials.c.id == credential_id)
            .values(sign_count=sign_count, last_used_at=when)
        )
        if self._connection.execute(statement).rowcount == 0:
            raise NotFoundError("no such WebAuthn credential")

    def replace_recovery_codes(self, principal_id: str, code_hashes: Sequence[bytes]) -> None:
        self._connection.execute(
            delete(recovery_codes).where(recovery_codes.c.principal_id == principal_id)
        )
        rows = [
            {"principal_id": principal_id, "code_hash": h, "used_at": None} for h in code_hashes
        ]
        write(self._connection, insert(recovery_codes), rows)

    def use_recovery_code(self, principal_id: str, code_hash: bytes, when: datetime) -> bool:
        statement = (
            update(recovery_codes)
            .where(
                recovery_codes.c.principal_id == principal_id,
                recovery_codes.c.code_hash == code_hash,
                recovery_codes.c.used_at.is_(None),
            )
            .values(used_at=when)
        )
        return self._connection.execute(statement).rowcount == 1

    def unused_recovery_codes(self, principal_id: str) -> int:
        statement = select(func.count()).where(
            recovery_codes.c.principal_id == principal_id, recovery_codes.c.used_at.is_(None)
        )
        return int(self._connection.execute(statement).scalar_one())

    # --- sessions ------------------------------------------------------------------------------

    def add_session(self, session: StaffSession) -> None:
        row = {
            "id": session.id,
            "principal_id": session.principal_id,
            "token_hash": session.token_hash,
            "mfa": session.mfa.value,
            "created_at": session.created_at,
            "last_seen_at": session.last_seen_at,
            "ip": session.ip,
            "ended_at": session.ended_at,
        }
        write(self._connection, insert(staff_sessions), [row])

    def session_by_hash(self, token_hash: bytes) -> tuple[StaffSession, Principal] | None:
        statement = (
            select(staff_sessions, *principal_columns())
            .join(principals, principals.c.id == staff_sessions.c.principal_id)
            .where(staff_sessions.c.token_hash == token_hash, staff_sessions.c.ended_at.is_(None))
        )
        row = self._connection.execute(statement).first()
        if row is None:
            return None
        return _session(row), joined_principal(row)

    def touch_session(self, session_id: str, when: datetime) -> None:
        statement = (
            update(staff_sessions)
            .where(staff_sessions.c.id == session_id)
            .values(last_seen_at=when)
        )
        self._connection.execute(statement)

    def end_sessions(
        self, principal_id: str, when: datetime, *, session_id: str | None = None
    ) -> int:
        statement = update(staff_sessions).where(
            staff_sessions.c.principal_id == principal_id, staff_sessions.c.ended_at.is_(None)
        )
        if session_id is not None:
            statement = statement.where(staff_sessions.c.id == session_id)
        return self._connection.execute(statement.values(ended_at=when)).rowcount

    def sessions(self, principal_id: str) -> list[StaffSession]:
        statement = (
            select(staff_sessions)
            .where(staff_sessions.c.principal_id == principal_id)
            .order_by(staff_sessions.c.created_at.desc(), staff_sessions.c.id)
        )
        return [_session(row) for row in self._connection.execute(statement)]

    def signed_in_from(self, principal_id: str, ip: str, since: datetime) -> bool:
        found = exists().where(
            staff_sessions.c.principal_id == principal_id,
            staff_sessions.c.ip == ip,
            staff_sessions.c.created_at >= since,
        )
        return bool(self._connection.execute(select(found)).scalar_one())

    # --- throttles and challenges --------------------------------------------------------------

    def throttle(self, key: bytes) -> Throttle | None:
        statement = select(login_throttles).where(login_throttles.c.key == key)
        row = self._connection.execute(statement).first()
        return None if row is None else Throttle(row.key, row.failures, row.last_failure_at)

    def save_throttle(self, throttle: Throttle) -> None:
        self.clear_throttle(throttle.key)
        row = {
            "key": throttle.key,
            "failures": throttle.failures,
            "last_failure_at": throttle.last_failure_at,
        }
        write(self._connection, insert(login_throttles), [row])

    def clear_throttle(self, key: bytes) -> None:
        self._connection.execute(delete(login_throttles).where(login_throttles.c.key == key))

    def add_challenge(self, challenge: Challenge) -> None:
        row = {
            "id": challenge.id,
            "principal_id": challenge.principal_id,
            "purpose": challenge.purpose.value,
            "value": challenge.value,
            "expires_at": challenge.expires_at,
        }
        write(self._connection, insert(auth_challenges), [row])

    def take_challenge(self, challenge_id: bytes) -> Challenge | None:
        # DELETE ... RETURNING: of two requests racing for one challenge, only one gets it.
        statement = (
            delete(auth_challenges)
            .where(auth_challenges.c.id == challenge_id)
            .returning(*auth_challenges.c)
        )
        row = self._connection.execute(statement).first()
        if row is None:
            return None
        return Challenge(
            id=row.id,
            principal_id=row.principal_id,
            purpose=ChallengePurpose(row.purpose),
            value=row.value,
            expires_at=row.expires_at,
        )
