"""The policy engine: training records, four-eyes approvals, volume counters, applied policies.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Frozen copies of the shared column types: a migration never changes after it ships.
TIMESTAMP = sa.DateTime(timezone=True)
SERIAL = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    _training()
    _approvals()
    op.create_table(
        "access_volume",
        sa.Column("principal", sa.String(length=300), nullable=False),
        sa.Column("window_start", TIMESTAMP, nullable=False),
        sa.Column("records", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("principal", "window_start", name=op.f("pk_access_volume")),
    )
    op.create_table(
        "applied_policies",
        sa.Column("id", SERIAL, autoincrement=True, nullable=False),
        sa.Column("version", sa.String(length=100), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("applied_at", TIMESTAMP, nullable=False),
        sa.Column("applied_by", sa.String(), nullable=False),
        sa.Column("approval_id", sa.String(length=36), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_applied_policies")),
    )


def _training() -> None:
    op.create_table(
        "staff_training",
        sa.Column("id", SERIAL, autoincrement=True, nullable=False),
        sa.Column("principal", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("policy_version", sa.String(length=100), nullable=True),
        sa.Column("completed_at", TIMESTAMP, nullable=False),
        sa.Column("recorded_by", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_training")),
    )
    op.create_index(
        op.f("ix_staff_training_principal_completed_at"),
        "staff_training",
        ["principal", "completed_at"],
    )


def _approvals() -> None:
    op.create_table(
        "approvals",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("payload_digest", sa.String(length=64), nullable=False),
        sa.Column("summary", sa.String(length=500), nullable=False),
        sa.Column("requested_by", sa.String(), nullable=False),
        sa.Column("requested_at", TIMESTAMP, nullable=False),
        sa.Column("expires_at", TIMESTAMP, nullable=False),
        sa.Column("approved_by", sa.String(), nullable=True),
        sa.Column("decided_at", TIMESTAMP, nullable=True),
        sa.Column("used_at", TIMESTAMP, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_approvals")),
    )
    op.create_index(op.f("ix_approvals_requested_at"), "approvals", ["requested_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_approvals_requested_at"), table_name="approvals")
    op.drop_table("approvals")
    op.drop_index(op.f("ix_staff_training_principal_completed_at"), table_name="staff_training")
    op.drop_table("staff_training")
    op.drop_table("applied_policies")
    op.drop_table("access_volume")
