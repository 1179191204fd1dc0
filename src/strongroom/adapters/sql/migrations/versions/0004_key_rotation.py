"""Key rotation: retired key versions and blind-index lengths (vault issue).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Placeholder: filled in by the work that needs it."""


def downgrade() -> None:
    """Placeholder: filled in by the work that needs it."""
