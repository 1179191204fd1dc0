"""Staff accounts: Argon2id passwords, TOTP, WebAuthn keys, recovery codes, sessions (access issue).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Frozen copy of the shared column type: a migration never changes after it ships.
TIMESTAMP = sa.DateTime(timezone=True)


def _principal_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["principal_id"], ["principals.id"], name=op.f(f"fk_{table}_principal_id_principals")
    )


def upgrade() -> None:
    op.create_table(
        "staff_accounts",
        sa.Column("principal_id", sa.String(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("password_hash", sa.String(length=512), nullable=True),
        sa.Column("password_changed_at", TIMESTAMP, nullable=True),
        sa.Column("totp_secret", sa.LargeBinary(), nullable=True),
        sa.Column("totp_last_step", sa.BigInteger(), nullable=True),
        _principal_fk("staff_accounts"),
        sa.PrimaryKeyConstraint("principal_id", name=op.f("pk_staff_accounts")),
    )
    op.create_table(
        "webauthn_credentials",
        sa.Column("id", sa.LargeBinary(), nullable=False),
        sa.Column("principal_id", sa.String(), nullable=False),
        sa.Column("public_key", sa.LargeBinary(), nullable=False),
        sa.Column("sign_count", sa.BigInteger(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("last_used_at", TIMESTAMP, nullable=True),
        _principal_fk("webauthn_credentials"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webauthn_credentials")),
    )
    op.create_index(
        op.f("ix_webauthn_credentials_principal_id"), "webauthn_credentials", ["principal_id"]
    )
    op.create_table(
        "recovery_codes",
        sa.Column("principal_id", sa.String(), nullable=False),
        sa.Column("code_hash", sa.LargeBinary(), nullable=False),
        sa.Column("used_at", TIMESTAMP, nullable=True),
        _principal_fk("recovery_codes"),
        sa.PrimaryKeyConstraint("principal_id", "code_hash", name=op.f("pk_recovery_codes")),
    )
    op.create_table(
        "staff_sessions",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("principal_id", sa.String(), nullable=False),
        sa.Column("token_hash", sa.LargeBinary(), nullable=False),
        sa.Column("mfa", sa.String(length=20), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("last_seen_at", TIMESTAMP, nullable=False),
        sa.Column("ip", sa.String(length=64), nullable=True),
        sa.Column("ended_at", TIMESTAMP, nullable=True),
        _principal_fk("staff_sessions"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_sessions")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_staff_sessions_token_hash")),
    )
    op.create_index(op.f("ix_staff_sessions_principal_id"), "staff_sessions", ["principal_id"])
    op.create_table(
        "login_throttles",
        sa.Column("key", sa.LargeBinary(), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failure_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_login_throttles")),
    )
    op.create_table(
        "auth_challenges",
        sa.Column("id", sa.LargeBinary(), nullable=False),
        sa.Column("principal_id", sa.String(), nullable=False),
        sa.Column("purpose", sa.String(length=20), nullable=False),
        sa.Column("value", sa.LargeBinary(), nullable=False),
        sa.Column("expires_at", TIMESTAMP, nullable=False),
        _principal_fk("auth_challenges"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_auth_challenges")),
    )
    op.create_index(op.f("ix_auth_challenges_principal_id"), "auth_challenges", ["principal_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_auth_challenges_principal_id"), table_name="auth_challenges")
    op.drop_table("auth_challenges")
    op.drop_table("login_throttles")
    op.drop_index(op.f("ix_staff_sessions_principal_id"), table_name="staff_sessions")
    op.drop_table("staff_sessions")
    op.drop_table("recovery_codes")
    op.drop_index(op.f("ix_webauthn_credentials_principal_id"), table_name="webauthn_credentials")
    op.drop_table("webauthn_credentials")
    op.drop_table("staff_accounts")
