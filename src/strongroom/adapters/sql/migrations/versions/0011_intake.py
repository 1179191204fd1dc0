"""Safe file intake: documents and quarantine (intake issue).

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# A frozen copy of the shared column type: a migration never changes after it ships.
TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "documents",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("customer_id", sa.String(length=36), nullable=False),
        sa.Column("extension", sa.String(length=16), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("stored_at", TIMESTAMP, nullable=False),
        sa.Column("stored_by", sa.String(), nullable=False),
        sa.CheckConstraint("size >= 0", name=op.f("ck_documents_size")),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_documents_customer_id_customers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_documents")),
    )
    op.create_index(
        op.f("ix_documents_customer_id_stored_at"), "documents", ["customer_id", "stored_at"]
    )
    op.create_table(
        "quarantine",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=64), nullable=False),
        sa.Column("detector", sa.String(length=64), nullable=False),
        sa.Column("signature", sa.String(length=200), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("original_name", sa.String(length=100), nullable=False),
        sa.Column("wrapped_key", sa.LargeBinary(), nullable=False),
        sa.Column("kek_version", sa.Integer(), nullable=False),
        sa.Column("quarantined_at", TIMESTAMP, nullable=False),
        sa.Column("quarantined_by", sa.String(), nullable=False),
        sa.Column("customer_id", sa.String(length=36), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("handled_by", sa.String(), nullable=True),
        sa.Column("handled_at", TIMESTAMP, nullable=True),
        sa.Column("handled_reason", sa.String(length=500), nullable=True),
        sa.CheckConstraint("channel IN ('import', 'document')", name=op.f("ck_quarantine_channel")),
        sa.CheckConstraint(
            "status IN ('quarantined', 'released')", name=op.f("ck_quarantine_status")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quarantine")),
    )
    op.create_index(op.f("ix_quarantine_quarantined_at"), "quarantine", ["quarantined_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_quarantine_quarantined_at"), table_name="quarantine")
    op.drop_table("quarantine")
    op.drop_index(op.f("ix_documents_customer_id_stored_at"), table_name="documents")
    op.drop_table("documents")
