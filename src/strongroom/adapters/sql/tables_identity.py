"""Tables of identity resolution: merges with their provenance and moved rows, the review queue."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, Column, ForeignKey, Index, String, Table

from strongroom.adapters.sql.column_types import UtcDateTime, serial_type
from strongroom.adapters.sql.tables import _customer_fk, metadata

# One row per merge, kept after it is undone: the record of who was one customer, when and why.
customer_merges = Table(
    "customer_merges",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("source_id", String(36), _customer_fk(), nullable=False, index=True),
    Column("target_id", String(36), _customer_fk(), nullable=False, index=True),
    Column("rule", String(64), nullable=False),
    Column("actor", String, nullable=False),
    Column("collect_source_id", String, nullable=True),  # the tracking source, if automatic
    Column("message_id", String, nullable=True),
    Column("reason", String, nullable=True),
    Column("review_id", String(36), nullable=True),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("undone_at", UtcDateTime(), nullable=True),
    Column("undone_by", String, nullable=True),
    Column("undo_reason", String, nullable=True),
    CheckConstraint("source_id <> target_id", name="distinct_customers"),
)

# At most one active merge per merged-away customer: two concurrent merges of one customer
# collide here, and the losing batch retries.
merge_heads = Table(
    "merge_heads",
    metadata,
    Column("source_id", String(36), _customer_fk(), primary_key=True),
    Column("merge_id", String(36), ForeignKey("customer_merges.id"), nullable=False),
)

# The rows each merge moved (or later routed) to its target, so that undoing it is exact.
merge_moves = Table(
    "merge_moves",
    metadata,
    Column("id", serial_type(), primary_key=True, autoincrement=True),
    Column("merge_id", String(36), ForeignKey("customer_merges.id"), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("row_id", String(36), nullable=False),
    Column("cause", String(16), nullable=False),
    Index(None, "merge_id", "kind"),
    Index(None, "kind", "row_id"),
    CheckConstraint("kind IN ('event', 'order', 'consent')", name="kind"),
    CheckConstraint("cause IN ('merged', 'routed')", name="cause"),
)

# Merges held for a person: two user ids, or a per-type limit reached.
merge_reviews = Table(
    "merge_reviews",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("customer_id", String(36), _customer_fk(), nullable=False),
    Column("other_id", String(36), _customer_fk(), nullable=False),
    Column("pair_low", String(36), nullable=False),
    Column("pair_high", String(36), nullable=False),
    Column("reason", String(64), nullable=False),
    Column("rule", String(64), nullable=False),
    Column("actor", String, nullable=False),
    Column("collect_source_id", String, nullable=True),
    Column("message_id", String, nullable=True),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("status", String(16), nullable=False, index=True),
    Column("decided_at", UtcDateTime(), nullable=True),
    Column("decided_by", String, nullable=True),
    Column("decision_reason", String, nullable=True),
    Column("merge_id", String(36), nullable=True),
    Index(None, "pair_low", "pair_high"),
    CheckConstraint("status IN ('open', 'approved', 'rejected')", name="status"),
)
