"""Monitoring: alerts, honeytokens and detector state (monitoring issue).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Placeholder: filled in by the work that needs it."""


def downgrade() -> None:
    """Placeholder: filled in by the work that needs it."""
