"""Incident response: incidents, roles, tasks, timeline, deadlines (incidents issue).

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass  # placeholder: filled by the work it names, or left empty if it needs no tables


def downgrade() -> None:
    pass
