"""Identity resolution: merges with provenance, review queue (collect issue).

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies of the shared column types: a migration never changes after it ships.
TIMESTAMP = sa.DateTime(timezone=True)
SERIAL = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _customer(column: str, table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], ["customers.id"], name=op.f(f"fk_{table}_{column}_customers")
    )


def upgrade() -> None:
    _create_merges()
    op.create_table(
        "merge_heads",
        sa.Column("source_id", sa.String(length=36), nullable=False),
        sa.Column("merge_id", sa.String(length=36), nullable=False),
        _customer("source_id", "merge_heads"),
        sa.ForeignKeyConstraint(
            ["merge_id"],
            ["customer_merges.id"],
            name=op.f("fk_merge_heads_merge_id_customer_merges"),
        ),
        sa.PrimaryKeyConstraint("source_id", name=op.f("pk_merge_heads")),
    )
    _create_moves()
    _create_reviews()


def _create_merges() -> None:
    op.create_table(
        "customer_merges",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("source_id", sa.String(length=36), nullable=False),
        sa.Column("target_id", sa.String(length=36), nullable=False),
        sa.Column("rule", sa.String(length=64), nullable=False),
        sa.Column("actor", sa.String(), nullable=False),
        sa.Column("collect_source_id", sa.String(), nullable=True),
        sa.Column("message_id", sa.String(), nullable=True),
        sa.Column("reason", sa.String(), nullable=True),
        sa.Column("review_id", sa.String(length=36), nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("undone_at", TIMESTAMP, nullable=True),
        sa.Column("undone_by", sa.String(), nullable=True),
        sa.Column("undo_reason", sa.String(), nullable=True),
        sa.CheckConstraint(
            "source_id <> target_id", name=op.f("ck_customer_merges_distinct_customers")
        ),
        _customer("source_id", "customer_merges"),
        _customer("target_id", "customer_merges"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_merges")),
    )
    op.create_index(op.f("ix_customer_merges_source_id"), "customer_merges", ["source_id"])
    op.create_index(op.f("ix_customer_merges_target_id"), "customer_merges", ["target_id"])


def _create_moves() -> None:
    op.create_table(
        "merge_moves",
        sa.Column("id", SERIAL, autoincrement=True, nullable=False),
        sa.Column("merge_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("row_id", sa.String(length=36), nullable=False),
        sa.Column("cause", sa.String(length=16), nullable=False),
        sa.CheckConstraint(
            "kind IN ('event', 'order', 'consent')", name=op.f("ck_merge_moves_kind")
        ),
        sa.CheckConstraint("cause IN ('merged', 'routed')", name=op.f("ck_merge_moves_cause")),
        sa.ForeignKeyConstraint(
            ["merge_id"],
            ["customer_merges.id"],
            name=op.f("fk_merge_moves_merge_id_customer_merges"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_merge_moves")),
    )
    op.create_index(op.f("ix_merge_moves_merge_id_kind"), "merge_moves", ["merge_id", "kind"])
    op.create_index(op.f("ix_merge_moves_kind_row_id"), "merge_moves", ["kind", "row_id"])


def _create_reviews() -> None:
    op.create_table(
        "merge_reviews",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("customer_id", sa.String(length=36), nullable=False),
        sa.Column("other_id", sa.String(length=36), nullable=False),
        sa.Column("pair_low", sa.String(length=36), nullable=False),
        sa.Column("pair_high", sa.String(length=36), nullable=False),
        sa.Column("reason", sa.String(length=64), nullable=False),
        sa.Column("rule", sa.String(length=64), nullable=False),
        sa.Column("actor", sa.String(), nullable=False),
        sa.Column("collect_source_id", sa.String(), nullable=True),
        sa.Column("message_id", sa.String(), nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("decided_at", TIMESTAMP, nullable=True),
        sa.Column("decided_by", sa.String(), nullable=True),
        sa.Column("decision_reason", sa.String(), nullable=True),
        sa.Column("merge_id", sa.String(length=36), nullable=True),
        sa.CheckConstraint(
            "status IN ('open', 'approved', 'rejected')", name=op.f("ck_merge_reviews_status")
        ),
        _customer("customer_id", "merge_reviews"),
        _customer("other_id", "merge_reviews"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_merge_reviews")),
    )
    op.create_index(op.f("ix_merge_reviews_status"), "merge_reviews", ["status"])
    op.create_index(
        op.f("ix_merge_reviews_pair_low_pair_high"), "merge_reviews", ["pair_low", "pair_high"]
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_merge_reviews_pair_low_pair_high"), table_name="merge_reviews")
    op.drop_index(op.f("ix_merge_reviews_status"), table_name="merge_reviews")
    op.drop_table("merge_reviews")
    op.drop_index(op.f("ix_merge_moves_kind_row_id"), table_name="merge_moves")
    op.drop_index(op.f("ix_merge_moves_merge_id_kind"), table_name="merge_moves")
    op.drop_table("merge_moves")
    op.drop_table("merge_heads")
    op.drop_index(op.f("ix_customer_merges_target_id"), table_name="customer_merges")
    op.drop_index(op.f("ix_customer_merges_source_id"), table_name="customer_merges")
    op.drop_table("customer_merges")
