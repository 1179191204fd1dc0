"""Machine principals: service and vendor keys, third-party apps, app tokens, app grants.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Frozen copies of the shared column types: a migration never changes after it ships.
TIMESTAMP = sa.DateTime(timezone=True)
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
SERIAL = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    _machine_keys()
    _apps()


def _machine_keys() -> None:
    op.create_table(
        "machine_keys",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("key_hash", sa.LargeBinary(), nullable=False),
        sa.Column("prefix", sa.String(length=20), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("created_by", sa.String(), nullable=False),
        sa.Column("valid_from", TIMESTAMP, nullable=False),
        sa.Column("expires_at", TIMESTAMP, nullable=False),
        sa.Column("role", sa.String(length=100), nullable=True),
        sa.Column("scopes", JSON, nullable=False),
        sa.Column("networks", JSON, nullable=False),
        sa.Column("fields", JSON, nullable=False),
        sa.Column("purpose", sa.String(length=100), nullable=True),
        sa.Column("cert_fingerprint", sa.String(length=64), nullable=True),
        sa.Column("revoked_at", TIMESTAMP, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_machine_keys")),
        sa.UniqueConstraint("key_hash", name=op.f("uq_machine_keys_key_hash")),
    )
    op.create_index(op.f("ix_machine_keys_kind_created_at"), "machine_keys", ["kind", "created_at"])


def _apps() -> None:
    op.create_table(
        "third_party_apps",
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("secret_hash", sa.LargeBinary(), nullable=False),
        sa.Column("scopes", JSON, nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("created_by", sa.String(), nullable=False),
        sa.Column("revoked_at", TIMESTAMP, nullable=True),
        sa.PrimaryKeyConstraint("client_id", name=op.f("pk_third_party_apps")),
        sa.UniqueConstraint("name", name=op.f("uq_third_party_apps_name")),
    )
    op.create_table(
        "app_tokens",
        sa.Column("token_hash", sa.LargeBinary(), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("scopes", JSON, nullable=False),
        sa.Column("issued_at", TIMESTAMP, nullable=False),
        sa.Column("expires_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["third_party_apps.client_id"],
            name=op.f("fk_app_tokens_client_id_third_party_apps"),
        ),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_app_tokens")),
    )
    op.create_index(op.f("ix_app_tokens_expires_at"), "app_tokens", ["expires_at"])
    op.create_table(
        "app_grants",
        sa.Column("id", SERIAL, autoincrement=True, nullable=False),
        sa.Column("customer_id", sa.String(length=36), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("purpose", sa.String(length=100), nullable=False),
        sa.Column("granted", sa.Boolean(), nullable=False),
        sa.Column("recorded_at", TIMESTAMP, nullable=False),
        sa.Column("recorded_by", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_app_grants_customer_id_customers")
        ),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["third_party_apps.client_id"],
            name=op.f("fk_app_grants_client_id_third_party_apps"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_app_grants")),
    )
    op.create_index(
        op.f("ix_app_grants_customer_id_client_id_purpose"),
        "app_grants",
        ["customer_id", "client_id", "purpose"],
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_app_grants_customer_id_client_id_purpose"), table_name="app_grants")
    op.drop_table("app_grants")
    op.drop_index(op.f("ix_app_tokens_expires_at"), table_name="app_tokens")
    op.drop_table("app_tokens")
    op.drop_table("third_party_apps")
    op.drop_index(op.f("ix_machine_keys_kind_created_at"), table_name="machine_keys")
    op.drop_table("machine_keys")
