"""Card tokens: the card vault table and the token columns of orders (vault issue).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# A frozen copy of the shared column type: a migration never changes after it ships.
TIMESTAMP = sa.DateTime(timezone=True)
_ORDER_CARD_COLUMNS = ("card_token", "card_last4", "card_brand")


def upgrade() -> None:
    op.create_table(
        "card_vault",
        sa.Column("token", sa.String(64), nullable=False),
        sa.Column("ciphertext", sa.LargeBinary(), nullable=False),
        sa.Column("key_version", sa.Integer(), nullable=False),
        sa.Column("fingerprint", sa.LargeBinary(), nullable=False),
        sa.Column("last4", sa.String(4), nullable=False),
        sa.Column("brand", sa.String(16), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("customer_id", sa.String(36), nullable=True),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_card_vault_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("token", name=op.f("pk_card_vault")),
        sa.UniqueConstraint(
            "fingerprint", "customer_id", name=op.f("uq_card_vault_fingerprint_customer_id")
        ),
    )
    # Nullable columns without constraints: a plain ALTER TABLE ADD COLUMN on both databases.
    op.add_column("orders", sa.Column("card_token", sa.String(64), nullable=True))
    op.add_column("orders", sa.Column("card_last4", sa.String(4), nullable=True))
    op.add_column("orders", sa.Column("card_brand", sa.String(16), nullable=True))


def downgrade() -> None:
    # Batch mode: SQLite before 3.35 cannot drop a column in place, so the table is rebuilt.
    with op.batch_alter_table("orders") as batch:
        for column in reversed(_ORDER_CARD_COLUMNS):
            batch.drop_column(column)
    op.drop_table("card_vault")
