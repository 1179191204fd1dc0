"""The batch limit rule the SQL adapters and the fakes share."""

from __future__ import annotations


def check_limit(limit: int) -> None:
    """Refuse a batch limit below one: SQLite reads a negative LIMIT as none, PostgreSQL fails."""
    if limit < 1:
        raise ValueError(f"limit must be at least 1, not {limit}")
