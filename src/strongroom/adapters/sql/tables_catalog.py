"""The field catalog's table: one row per field seen, with its class, protection and storage."""

from __future__ import annotations

from sqlalchemy import BigInteger, CheckConstraint, Column, PrimaryKeyConstraint, String, Table

from strongroom.adapters.sql.column_types import UtcDateTime
from strongroom.adapters.sql.tables import metadata

# ``name`` is a declared field name, a plain key, or a keyed hash (``key#...``) of a key that
# might itself be personal data: never such a key itself.
field_catalog = Table(
    "field_catalog",
    metadata,
    Column("scope", String(16), nullable=False),
    Column("name", String(128), nullable=False),
    Column("data_class", String(32), nullable=False),
    Column("protection", String(32), nullable=False),
    Column("storage", String(32), nullable=False),
    Column("records", BigInteger, nullable=False),
    Column("first_seen", UtcDateTime(), nullable=False),
    Column("last_seen", UtcDateTime(), nullable=False),
    PrimaryKeyConstraint("scope", "name", "data_class", "protection", "storage"),
    CheckConstraint("records >= 0", name="records"),
)
