"""Audit log as a Merkle tree: leaf hashes, request context and checkpoints (audit issue).

Existing entries get their RFC 6962 leaf hash computed here, from the same canonical form their
chain hash covers, so the chain of an upgraded database still verifies and its tree starts at
entry 1. Nothing else about them changes.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies of the shared column types: a migration never changes after it ships.
TIMESTAMP = sa.DateTime(timezone=True)
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
_BATCH = 5000

_entries = sa.table(
    "audit_entries",
    sa.column("seq", sa.BigInteger()),
    sa.column("occurred_at", TIMESTAMP),
    sa.column("actor", sa.String()),
    sa.column("action", sa.String()),
    sa.column("outcome", sa.String()),
    sa.column("resource_type", sa.String()),
    sa.column("resource_ids", JSON),
    sa.column("data_classes", JSON),
    sa.column("purpose", sa.String()),
    sa.column("detail", JSON),
    sa.column("leaf_hash", sa.LargeBinary()),
)


def _leaf_hash(row: Any) -> bytes:
    """A frozen copy of audit.chain's canonical form for entries without an origin (all of
    them, before this revision), hashed as an RFC 6962 leaf."""
    occurred_at: datetime = row.occurred_at
    occurred_at = (
        occurred_at.replace(tzinfo=UTC) if occurred_at.tzinfo is None else occurred_at
    ).astimezone(UTC)
    document = {
        "seq": row.seq,
        "occurred_at": occurred_at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "actor": row.actor,
        "action": row.action,
        "outcome": row.outcome,
        "resource_type": row.resource_type,
        "resource_ids": list(row.resource_ids),
        "data_classes": list(row.data_classes),
        "purpose": row.purpose,
        "detail": row.detail,
    }
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":")).encode()
    return hashlib.sha256(b"\x00" + canonical).digest()


def _backfill_leaf_hashes() -> None:
    connection = op.get_bind()
    after = 0
    while True:
        rows = connection.execute(
            sa.select(_entries).where(_entries.c.seq > after).order_by("seq").limit(_BATCH)
        ).all()
        if not rows:
            return
        update = (
            sa.update(_entries)
            .where(_entries.c.seq == sa.bindparam("row_seq"))
            .values(leaf_hash=sa.bindparam("row_leaf"))
        )
        connection.execute(
            update, [{"row_seq": row.seq, "row_leaf": _leaf_hash(row)} for row in rows]
        )
        after = rows[-1].seq


def upgrade() -> None:
    # Batch mode rebuilds the table on SQLite; it is a plain ALTER TABLE on PostgreSQL.
    with op.batch_alter_table("audit_entries") as batch:
        batch.add_column(sa.Column("leaf_hash", sa.LargeBinary(), nullable=True))
        batch.add_column(sa.Column("ip", sa.String(), nullable=True))
        batch.add_column(sa.Column("user_agent", sa.String(), nullable=True))
        batch.add_column(sa.Column("request_id", sa.String(), nullable=True))
    _backfill_leaf_hashes()
    with op.batch_alter_table("audit_entries") as batch:
        batch.alter_column("leaf_hash", existing_type=sa.LargeBinary(), nullable=False)
    op.create_table(
        "audit_checkpoints",
        sa.Column("tree_size", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("root_hash", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("key_version", sa.Integer(), nullable=False),
        sa.Column("document", sa.String(), nullable=False),
        sa.Column("frontier", sa.LargeBinary(), nullable=False),
        sa.Column("export_errors", JSON, nullable=False),
        sa.CheckConstraint("tree_size >= 1", name=op.f("ck_audit_checkpoints_tree_size")),
        sa.PrimaryKeyConstraint("tree_size", name=op.f("pk_audit_checkpoints")),
    )


def downgrade() -> None:
    # Lossy: entries recorded with an origin keep chain hashes that cover it, so they do not
    # verify under revision 0004's code. Go back only to restore a backup taken before.
    op.drop_table("audit_checkpoints")
    with op.batch_alter_table("audit_entries") as batch:
        batch.drop_column("request_id")
        batch.drop_column("user_agent")
        batch.drop_column("ip")
        batch.drop_column("leaf_hash")
