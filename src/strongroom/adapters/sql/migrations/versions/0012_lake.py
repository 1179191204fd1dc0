"""Lake export: orders record when they were received; events and orders are read in that order.

The lake's watermark itself lives in the lake's manifest, next to the files it describes.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# A frozen copy of the shared column type: a migration never changes after it ships.
TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    # Orders stored before this migration count as received now: the first export takes them.
    with op.batch_alter_table("orders") as batch:
        batch.add_column(sa.Column("received_at", TIMESTAMP, nullable=True))
    orders = sa.table("orders", sa.column("received_at", TIMESTAMP))
    op.execute(orders.update().values(received_at=datetime.now(UTC)))
    with op.batch_alter_table("orders") as batch:
        batch.alter_column("received_at", existing_type=TIMESTAMP, nullable=False)
    op.create_index("ix_orders_received_at_id", "orders", ["received_at", "id"])
    op.create_index("ix_events_received_at_id", "events", ["received_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_events_received_at_id", table_name="events")
    op.drop_index("ix_orders_received_at_id", table_name="orders")
    with op.batch_alter_table("orders") as batch:
        batch.drop_column("received_at")
