"""Incident suspects: where copying their audit entries onto the timeline stands (issue 8).

Adds ``incident_suspects``, the ``copied_seq`` column of ``incident_timeline`` (unique per
incident: an audit entry is copied once) and an index of ``audit_entries`` by actor and sequence.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies of the shared column types: a migration never changes after it ships.
TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "incident_suspects",
        sa.Column("incident_id", sa.String(length=36), nullable=False),
        sa.Column("label", sa.String(length=300), nullable=False),
        sa.Column("since", TIMESTAMP, nullable=False),
        sa.Column("synced_seq", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_incident_suspects_incident_id_incidents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("incident_id", "label", name=op.f("pk_incident_suspects")),
    )
    op.add_column("incident_timeline", sa.Column("copied_seq", sa.BigInteger(), nullable=True))
    op.create_index(
        op.f("ix_incident_timeline_incident_id_copied_seq"),
        "incident_timeline",
        ["incident_id", "copied_seq"],
        unique=True,
    )
    op.create_index("ix_audit_entries_actor_seq", "audit_entries", ["actor", "seq"])


def downgrade() -> None:
    op.drop_index("ix_audit_entries_actor_seq", table_name="audit_entries")
    op.drop_index(
        op.f("ix_incident_timeline_incident_id_copied_seq"), table_name="incident_timeline"
    )
    with op.batch_alter_table("incident_timeline") as batch:
        batch.drop_column("copied_seq")
    op.drop_table("incident_suspects")
