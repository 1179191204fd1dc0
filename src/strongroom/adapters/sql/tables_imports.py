"""Tables of file imports: one row per run of ``strongroom import``."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, Column, ForeignKey, Integer, String, Table

from strongroom.adapters.sql.column_types import UtcDateTime
from strongroom.adapters.sql.tables import metadata

# The file is named by its base name and SHA-256 only; row content never reaches this table.
import_runs = Table(
    "import_runs",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("source_id", String, ForeignKey("sources.id"), nullable=False),
    Column("source_name", String, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("file_format", String(16), nullable=False),
    Column("file_name", String, nullable=False),
    Column("file_sha256", String(64), nullable=False),
    Column("actor", String, nullable=False),
    Column("status", String(32), nullable=False),
    Column("rows_read", Integer, nullable=False),
    Column("rows_stored", Integer, nullable=False),
    Column("rows_duplicate", Integer, nullable=False),
    Column("rows_rejected", Integer, nullable=False),
    Column("started_at", UtcDateTime(), nullable=False, index=True),
    Column("finished_at", UtcDateTime(), nullable=True),
    Column("error", String, nullable=True),
    CheckConstraint("kind IN ('customers', 'orders', 'events')", name="kind"),
    CheckConstraint(
        "status IN ('running', 'completed', 'completed_with_rejects', 'failed')", name="status"
    ),
)
