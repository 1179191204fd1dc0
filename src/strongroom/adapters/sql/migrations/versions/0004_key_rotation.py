"""Key rotation: retired key versions and blind-index lengths (vault issue).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# A frozen copy of the shared column type: a migration never changes after it ships.
TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    # Batch mode rebuilds the table on SQLite (which cannot drop columns in place); it is a plain
    # ALTER TABLE on PostgreSQL.
    with op.batch_alter_table("data_keys") as batch:
        batch.add_column(sa.Column("index_bits", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("retired_at", TIMESTAMP, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("data_keys") as batch:
        batch.drop_column("retired_at")
        batch.drop_column("index_bits")
