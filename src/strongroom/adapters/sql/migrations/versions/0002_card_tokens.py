"""Card tokens: the card vault table and the token columns of orders (vault issue).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Placeholder: filled in by the work that needs it."""


def downgrade() -> None:
    """Placeholder: filled in by the work that needs it."""
