"""Tables of staff accounts: passwords, second factors, sessions, login throttles, challenges."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    ForeignKey,
    Integer,
    LargeBinary,
    PrimaryKeyConstraint,
    String,
    Table,
)

from strongroom.adapters.sql.column_types import UtcDateTime
from strongroom.adapters.sql.tables import metadata


def _principal_fk() -> ForeignKey:
    return ForeignKey("principals.id")


staff_accounts = Table(
    "staff_accounts",
    metadata,
    Column("principal_id", String, _principal_fk(), primary_key=True),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("password_hash", String(512), nullable=True),
    Column("password_changed_at", UtcDateTime(), nullable=True),
    Column("totp_secret", LargeBinary, nullable=True),  # sealed under the token key
    Column("totp_last_step", BigInteger, nullable=True),
)

webauthn_credentials = Table(
    "webauthn_credentials",
    metadata,
    Column("id", LargeBinary, primary_key=True),
    Column("principal_id", String, _principal_fk(), nullable=False, index=True),
    Column("public_key", LargeBinary, nullable=False),
    Column("sign_count", BigInteger, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("last_used_at", UtcDateTime(), nullable=True),
)

recovery_codes = Table(
    "recovery_codes",
    metadata,
    Column("principal_id", String, _principal_fk(), nullable=False),
    Column("code_hash", LargeBinary, nullable=False),
    Column("used_at", UtcDateTime(), nullable=True),
    PrimaryKeyConstraint("principal_id", "code_hash"),
)

staff_sessions = Table(
    "staff_sessions",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("principal_id", String, _principal_fk(), nullable=False, index=True),
    Column("token_hash", LargeBinary, nullable=False, unique=True),
    Column("mfa", String(20), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("last_seen_at", UtcDateTime(), nullable=False),
    Column("ip", String(64), nullable=True),
    Column("ended_at", UtcDateTime(), nullable=True),
)

login_throttles = Table(
    "login_throttles",
    metadata,
    Column("key", LargeBinary, primary_key=True),
    Column("failures", Integer, nullable=False),
    Column("last_failure_at", UtcDateTime(), nullable=False),
)

auth_challenges = Table(
    "auth_challenges",
    metadata,
    Column("id", LargeBinary, primary_key=True),
    Column("principal_id", String, _principal_fk(), nullable=False, index=True),
    Column("purpose", String(20), nullable=False),
    Column("value", LargeBinary, nullable=False),
    Column("expires_at", UtcDateTime(), nullable=False),
)
