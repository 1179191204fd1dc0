"""Monitoring: alerts and honeytokens (monitoring issue).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies of the shared column types: a migration never changes after it ships.
TIMESTAMP = sa.DateTime(timezone=True)
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "alerts",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("detector", sa.String(), nullable=False),
        sa.Column("severity", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("principal", sa.String(), nullable=False),
        sa.Column("signal", sa.String(), nullable=False),
        sa.Column("summary", sa.String(), nullable=False),
        sa.Column("explanation", JSON, nullable=False),
        sa.Column("first_seen", TIMESTAMP, nullable=False),
        sa.Column("last_seen", TIMESTAMP, nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("last_seq", sa.BigInteger(), nullable=True),
        sa.Column("deliveries", JSON, nullable=False),
        sa.Column("note", sa.String(), nullable=True),
        sa.Column("handled_by", sa.String(), nullable=True),
        sa.Column("handled_at", TIMESTAMP, nullable=True),
        sa.CheckConstraint(
            "severity IN ('low', 'medium', 'high', 'critical')", name=op.f("ck_alerts_severity")
        ),
        sa.CheckConstraint(
            "status IN ('open', 'acknowledged', 'closed')", name=op.f("ck_alerts_status")
        ),
        sa.CheckConstraint("count >= 1", name=op.f("ck_alerts_count")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alerts")),
    )
    op.create_index(op.f("ix_alerts_fingerprint"), "alerts", ["fingerprint"])
    op.create_index(op.f("ix_alerts_status"), "alerts", ["status"])
    op.create_table(
        "honeytokens",
        sa.Column("customer_id", sa.String(length=36), nullable=False),
        sa.Column("card_token", sa.String(length=64), nullable=True),
        sa.Column("planted_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_honeytokens_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("customer_id", name=op.f("pk_honeytokens")),
        sa.UniqueConstraint("card_token", name=op.f("uq_honeytokens_card_token")),
    )


def downgrade() -> None:
    op.drop_table("honeytokens")
    op.drop_index(op.f("ix_alerts_status"), table_name="alerts")
    op.drop_index(op.f("ix_alerts_fingerprint"), table_name="alerts")
    op.drop_table("alerts")
