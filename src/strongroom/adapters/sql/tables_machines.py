"""Tables of machine principals: service and vendor keys, third-party apps, their access tokens
and the grants customers gave apps."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, ForeignKey, Index, LargeBinary, String, Table

from strongroom.adapters.sql.column_types import UtcDateTime, json_type, serial_type
from strongroom.adapters.sql.tables import _customer_fk, metadata

machine_keys = Table(
    "machine_keys",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("kind", String(20), nullable=False),
    Column("name", String(200), nullable=False),
    Column("key_hash", LargeBinary, nullable=False, unique=True),
    Column("prefix", String(20), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("created_by", String, nullable=False),
    Column("valid_from", UtcDateTime(), nullable=False),
    Column("expires_at", UtcDateTime(), nullable=False),
    Column("role", String(100), nullable=True),
    Column("scopes", json_type(), nullable=False),
    Column("networks", json_type(), nullable=False),
    Column("fields", json_type(), nullable=False),
    Column("purpose", String(100), nullable=True),
    Column("cert_fingerprint", String(64), nullable=True),
    Column("revoked_at", UtcDateTime(), nullable=True),
    Index(None, "kind", "created_at"),
)

third_party_apps = Table(
    "third_party_apps",
    metadata,
    Column("client_id", String(64), primary_key=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("secret_hash", LargeBinary, nullable=False),
    Column("scopes", json_type(), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("created_by", String, nullable=False),
    Column("revoked_at", UtcDateTime(), nullable=True),
)

app_tokens = Table(
    "app_tokens",
    metadata,
    Column("token_hash", LargeBinary, primary_key=True),
    Column("client_id", String(64), ForeignKey("third_party_apps.client_id"), nullable=False),
    Column("scopes", json_type(), nullable=False),
    Column("issued_at", UtcDateTime(), nullable=False),
    Column("expires_at", UtcDateTime(), nullable=False, index=True),
)

app_grants = Table(
    "app_grants",
    metadata,
    Column("id", serial_type(), primary_key=True, autoincrement=True),
    Column("customer_id", String(36), _customer_fk(), nullable=False),
    Column("client_id", String(64), ForeignKey("third_party_apps.client_id"), nullable=False),
    Column("purpose", String(100), nullable=False),
    Column("granted", Boolean, nullable=False),
    Column("recorded_at", UtcDateTime(), nullable=False),
    Column("recorded_by", String, nullable=False),
    Index(None, "customer_id", "client_id", "purpose"),
)
