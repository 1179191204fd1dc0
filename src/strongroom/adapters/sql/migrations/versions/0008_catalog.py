"""Field catalog and protected event properties (collect issue, classification).

Events gain ``context`` (declared context fields kept plain) and ``sealed`` (the PII and
unclassified properties and context fields, encrypted under the customer's key). Events stored
before keep both empty: they hold no context, and their properties were stored as sent.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies of the shared column types: a migration never changes after it ships.
TIMESTAMP = sa.DateTime(timezone=True)
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.add_column("events", sa.Column("context", JSON, nullable=True))
    op.add_column("events", sa.Column("sealed", sa.LargeBinary(), nullable=True))
    op.create_table(
        "field_catalog",
        sa.Column("scope", sa.String(16), nullable=False),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("data_class", sa.String(32), nullable=False),
        sa.Column("protection", sa.String(32), nullable=False),
        sa.Column("storage", sa.String(32), nullable=False),
        sa.Column("records", sa.BigInteger(), nullable=False),
        sa.Column("first_seen", TIMESTAMP, nullable=False),
        sa.Column("last_seen", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint(
            "scope", "name", "data_class", "protection", "storage", name="pk_field_catalog"
        ),
        sa.CheckConstraint("records >= 0", name="ck_field_catalog_records"),
    )


def downgrade() -> None:
    op.drop_table("field_catalog")
    with op.batch_alter_table("events") as batch:
        batch.drop_column("sealed")
        batch.drop_column("context")
