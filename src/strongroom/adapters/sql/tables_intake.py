"""Tables of safe file intake: customers' documents and the quarantine.

The files themselves are sealed on disk under server-generated names; these rows say whose
they are and, for quarantined files, hold the wrapped key without which a file is noise.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
)

from strongroom.adapters.sql.column_types import UtcDateTime
from strongroom.adapters.sql.tables import _customer_fk, metadata

documents = Table(
    "documents",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("customer_id", String(36), _customer_fk(), nullable=False),
    Column("extension", String(16), nullable=False),
    Column("media_type", String(100), nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("stored_at", UtcDateTime(), nullable=False),
    Column("stored_by", String, nullable=False),
    CheckConstraint("size >= 0", name="size"),
    Index(None, "customer_id", "stored_at"),
)

quarantine = Table(
    "quarantine",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("channel", String(16), nullable=False),
    Column("reason", String(64), nullable=False),
    Column("detector", String(64), nullable=False),
    Column("signature", String(200), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("original_name", String(100), nullable=False),  # reduced to safe characters
    Column("wrapped_key", LargeBinary, nullable=False),
    Column("kek_version", Integer, nullable=False),
    Column("quarantined_at", UtcDateTime(), nullable=False, index=True),
    Column("quarantined_by", String, nullable=False),
    Column("customer_id", String(36), nullable=True),  # no foreign key: evidence outlives rows
    Column("status", String(16), nullable=False),
    Column("handled_by", String, nullable=True),
    Column("handled_at", UtcDateTime(), nullable=True),
    Column("handled_reason", String(500), nullable=True),
    CheckConstraint("channel IN ('import', 'document')", name="channel"),
    CheckConstraint("status IN ('quarantined', 'released')", name="status"),
)
