"""Tables of the policy engine: training records, four-eyes approvals, hourly volume counters
and the policy files applied."""

from __future__ import annotations

from sqlalchemy import Column, Index, Integer, String, Table, Text

from strongroom.adapters.sql.column_types import UtcDateTime, serial_type
from strongroom.adapters.sql.tables import metadata

staff_training = Table(
    "staff_training",
    metadata,
    Column("id", serial_type(), primary_key=True, autoincrement=True),
    Column("principal", String(200), nullable=False),
    Column("kind", String(30), nullable=False),
    Column("policy_version", String(100), nullable=True),
    Column("completed_at", UtcDateTime(), nullable=False),
    Column("recorded_by", String, nullable=False),
    Index(None, "principal", "completed_at"),
)

approvals = Table(
    "approvals",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("kind", String(30), nullable=False),
    Column("payload_digest", String(64), nullable=False),
    Column("summary", String(500), nullable=False),
    Column("requested_by", String, nullable=False),
    Column("requested_at", UtcDateTime(), nullable=False),
    Column("expires_at", UtcDateTime(), nullable=False),
    Column("approved_by", String, nullable=True),
    Column("decided_at", UtcDateTime(), nullable=True),
    Column("used_at", UtcDateTime(), nullable=True),
    Index(None, "requested_at"),
)

access_volume = Table(
    "access_volume",
    metadata,
    Column("principal", String(300), primary_key=True),
    Column("window_start", UtcDateTime(), primary_key=True),
    Column("records", Integer, nullable=False),
)

applied_policies = Table(
    "applied_policies",
    metadata,
    Column("id", serial_type(), primary_key=True, autoincrement=True),
    Column("version", String(100), nullable=False),
    Column("digest", String(64), nullable=False),
    Column("text", Text, nullable=False),
    Column("applied_at", UtcDateTime(), nullable=False),
    Column("applied_by", String, nullable=False),
    Column("approval_id", String(36), nullable=True),
)
