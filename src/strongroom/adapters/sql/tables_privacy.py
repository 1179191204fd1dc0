"""Tables of data-subject rights: requests with their due dates, and legal holds."""

from __future__ import annotations

from sqlalchemy import Column, Index, String, Table, Text

from strongroom.adapters.sql.column_types import UtcDateTime
from strongroom.adapters.sql.tables import _customer_fk, metadata

# No cascade: a request outlives the erasure it asked for (it is the record that it was done).
privacy_requests = Table(
    "privacy_requests",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("customer_id", String(36), _customer_fk(), nullable=False, index=True),
    Column("kind", String(20), nullable=False),
    Column("status", String(20), nullable=False),
    Column("received_at", UtcDateTime(), nullable=False),
    Column("due_at", UtcDateTime(), nullable=False),
    Column("opened_by", String, nullable=False),
    Column("verification", Text, nullable=True),
    Column("verified_by", String, nullable=True),
    Column("verified_at", UtcDateTime(), nullable=True),
    Column("closed_at", UtcDateTime(), nullable=True),
    Column("outcome", Text, nullable=True),
    Index(None, "status", "due_at"),
)

legal_holds = Table(
    "legal_holds",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("customer_id", String(36), _customer_fk(), nullable=False, index=True),
    Column("reason", Text, nullable=False),
    Column("placed_by", String, nullable=False),
    Column("placed_at", UtcDateTime(), nullable=False),
    Column("released_by", String, nullable=True),
    Column("released_at", UtcDateTime(), nullable=True),
)
