"""Sources: settings, write key rotation with overlap, signed-batch replay guard (collect issue).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies of the shared column types: a migration never changes after it ships.
TIMESTAMP = sa.DateTime(timezone=True)
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.add_column(
        "sources", sa.Column("allowed_origins", JSON, nullable=False, server_default="[]")
    )
    op.add_column("sources", sa.Column("rate_limit", sa.Integer(), nullable=True))
    op.add_column(
        "sources",
        sa.Column("require_signature", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.add_column("write_keys", sa.Column("expires_at", TIMESTAMP, nullable=True))
    op.add_column("write_keys", sa.Column("signing_secret", sa.LargeBinary(), nullable=True))
    op.create_table(
        "seen_signatures",
        sa.Column("source_id", sa.String(), nullable=False),
        sa.Column("digest", sa.LargeBinary(), nullable=False),
        sa.Column("expires_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(
            ["source_id"], ["sources.id"], name=op.f("fk_seen_signatures_source_id_sources")
        ),
        sa.PrimaryKeyConstraint("source_id", "digest", name=op.f("pk_seen_signatures")),
    )
    op.create_index(op.f("ix_seen_signatures_expires_at"), "seen_signatures", ["expires_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_seen_signatures_expires_at"), table_name="seen_signatures")
    op.drop_table("seen_signatures")
    with op.batch_alter_table("write_keys") as batch:
        batch.drop_column("signing_secret")
        batch.drop_column("expires_at")
    with op.batch_alter_table("sources") as batch:
        batch.drop_column("require_signature")
        batch.drop_column("rate_limit")
        batch.drop_column("allowed_origins")
