"""Incident response: incidents, roles, tasks, timeline, export freeze (incidents issue).

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies of the shared column types: a migration never changes after it ships.
TIMESTAMP = sa.DateTime(timezone=True)
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
SERIAL = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
STATUSES = "'detection', 'triage', 'containment', 'eradication', 'recovery', 'closed'"


def _incident_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["incident_id"],
        ["incidents.id"],
        name=op.f(f"fk_{table}_incident_id_incidents"),
        ondelete="CASCADE",
    )


def upgrade() -> None:
    op.create_table(
        "incidents",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("severity", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("opened_at", TIMESTAMP, nullable=False),
        sa.Column("opened_by", sa.String(), nullable=False),
        sa.Column("aware_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.Column("principals", JSON, nullable=False),
        sa.Column("alert_id", sa.String(length=36), nullable=True),
        sa.Column("closed_at", TIMESTAMP, nullable=True),
        sa.CheckConstraint(
            "severity IN ('low', 'medium', 'high', 'critical')", name=op.f("ck_incidents_severity")
        ),
        sa.CheckConstraint(f"status IN ({STATUSES})", name=op.f("ck_incidents_status")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incidents")),
        sa.UniqueConstraint("alert_id", name=op.f("uq_incidents_alert_id")),
    )
    op.create_index(op.f("ix_incidents_status"), "incidents", ["status"])
    op.create_table(
        "incident_roles",
        sa.Column("incident_id", sa.String(length=36), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("assignee", sa.String(), nullable=False),
        sa.Column("assigned_at", TIMESTAMP, nullable=False),
        _incident_fk("incident_roles"),
        sa.PrimaryKeyConstraint("incident_id", "role", name=op.f("pk_incident_roles")),
    )
    op.create_table(
        "incident_tasks",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("incident_id", sa.String(length=36), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("owner", sa.String(), nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("done_at", TIMESTAMP, nullable=True),
        _incident_fk("incident_tasks"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_tasks")),
    )
    op.create_index(op.f("ix_incident_tasks_incident_id"), "incident_tasks", ["incident_id"])
    op.create_table(
        "incident_timeline",
        sa.Column("id", SERIAL, autoincrement=True, nullable=False),
        sa.Column("incident_id", sa.String(length=36), nullable=False),
        sa.Column("at", TIMESTAMP, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("actor", sa.String(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("detail", JSON, nullable=False),
        sa.Column("audit_seq", sa.BigInteger(), nullable=True),
        _incident_fk("incident_timeline"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_timeline")),
    )
    op.create_index(
        op.f("ix_incident_timeline_incident_id_id"), "incident_timeline", ["incident_id", "id"]
    )
    op.create_table(
        "export_freeze",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("incident_id", sa.String(length=36), nullable=False),
        sa.Column("frozen_by", sa.String(), nullable=False),
        sa.Column("frozen_at", TIMESTAMP, nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_export_freeze_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_export_freeze")),
    )


def downgrade() -> None:
    op.drop_table("export_freeze")
    op.drop_index(op.f("ix_incident_timeline_incident_id_id"), table_name="incident_timeline")
    op.drop_table("incident_timeline")
    op.drop_index(op.f("ix_incident_tasks_incident_id"), table_name="incident_tasks")
    op.drop_table("incident_tasks")
    op.drop_table("incident_roles")
    op.drop_index(op.f("ix_incidents_status"), table_name="incidents")
    op.drop_table("incidents")
