"""Tables of incident response: incidents, their roles, tasks, suspects' watches and timeline,
the export freeze; and the index the timeline reads suspects' audit entries by."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
)

from strongroom.adapters.sql.column_types import UtcDateTime, json_type, serial_type
from strongroom.adapters.sql.tables import audit_entries, metadata

_STATUSES = "'detection', 'triage', 'containment', 'eradication', 'recovery', 'closed'"


def _incident_fk() -> ForeignKey:
    return ForeignKey("incidents.id", ondelete="CASCADE")


incidents = Table(
    "incidents",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("title", Text, nullable=False),
    Column("severity", String(16), nullable=False),
    Column("status", String(16), nullable=False, index=True),
    Column("opened_at", UtcDateTime(), nullable=False),
    Column("opened_by", String, nullable=False),
    Column("aware_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    Column("principals", json_type(), nullable=False),
    Column("alert_id", String(36), nullable=True, unique=True),
    Column("closed_at", UtcDateTime(), nullable=True),
    CheckConstraint("severity IN ('low', 'medium', 'high', 'critical')", name="severity"),
    CheckConstraint(f"status IN ({_STATUSES})", name="status"),
)

incident_roles = Table(
    "incident_roles",
    metadata,
    Column("incident_id", String(36), _incident_fk(), nullable=False),
    Column("role", String(16), nullable=False),
    Column("assignee", String, nullable=False),
    Column("assigned_at", UtcDateTime(), nullable=False),
    PrimaryKeyConstraint("incident_id", "role"),
)

incident_tasks = Table(
    "incident_tasks",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("incident_id", String(36), _incident_fk(), nullable=False, index=True),
    Column("title", Text, nullable=False),
    Column("status", String(8), nullable=False),
    Column("owner", String, nullable=True),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("done_at", UtcDateTime(), nullable=True),
)

# Append-only: the repository offers no update or delete of a timeline row.
incident_timeline = Table(
    "incident_timeline",
    metadata,
    Column("id", serial_type(), primary_key=True, autoincrement=True),
    Column("incident_id", String(36), _incident_fk(), nullable=False),
    Column("at", UtcDateTime(), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("actor", String, nullable=False),
    Column("text", Text, nullable=False),
    Column("detail", json_type(), nullable=False),
    Column("audit_seq", BigInteger, nullable=True),
    # Set only on copies of a suspect's audit entries (kind 'audit'): each is copied once.
    Column("copied_seq", BigInteger, nullable=True),
    Index(None, "incident_id", "id"),
    Index(None, "incident_id", "copied_seq", unique=True),
)

# Where copying each suspect's audit entries onto the timeline stands (core.SuspectWatch).
incident_suspects = Table(
    "incident_suspects",
    metadata,
    Column("incident_id", String(36), _incident_fk(), nullable=False),
    Column("label", String(300), nullable=False),
    Column("since", UtcDateTime(), nullable=False),
    Column("synced_seq", BigInteger, nullable=False),
    PrimaryKeyConstraint("incident_id", "label"),
)

# What a suspect did, in order: the timeline sync reads audit entries by actor from a sequence on.
audit_by_actor = Index("ix_audit_entries_actor_seq", audit_entries.c.actor, audit_entries.c.seq)

# At most one row: while it exists, exports are frozen.
export_freeze = Table(
    "export_freeze",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("incident_id", String(36), nullable=False),
    Column("frozen_by", String, nullable=False),
    Column("frozen_at", UtcDateTime(), nullable=False),
    CheckConstraint("id = 1", name="single_row"),
)
