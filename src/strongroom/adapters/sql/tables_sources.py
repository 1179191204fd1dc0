"""Tables of sources beyond ``tables.py``: digests of accepted batch signatures (replay guard)."""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, LargeBinary, String, Table

from strongroom.adapters.sql.column_types import UtcDateTime
from strongroom.adapters.sql.tables import metadata

# One row per accepted signed batch, kept until its replay window has passed. The primary key
# makes two concurrent replays of one signature collide: only one of them can insert.
seen_signatures = Table(
    "seen_signatures",
    metadata,
    Column("source_id", String, ForeignKey("sources.id"), primary_key=True),
    Column("digest", LargeBinary, primary_key=True),
    Column("expires_at", UtcDateTime(), nullable=False, index=True),
)
