"""The relational schema, in SQLAlchemy Core. Migrations must keep the database equal to it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    PrimaryKeyConstraint,
    String,
    Table,
    UniqueConstraint,
    false,
)
from sqlalchemy.types import TypeEngine

from strongroom.adapters.customer_fields import ENCRYPTED_CUSTOMER_FIELDS, PLAIN_CUSTOMER_FIELDS
from strongroom.adapters.sql.column_types import UtcDateTime, json_type, serial_type

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)

# Customer columns come from the declared schema (core.schema.CUSTOMER_FIELDS), never listed here.
_PLAIN_FIELD_TYPES: dict[str, type[TypeEngine[Any]]] = {"age": Integer}

AUDIT_HEAD_ID = 1


def _now() -> datetime:
    return datetime.now(UTC)


def _customer_columns() -> list[Column[Any]]:
    encrypted = [Column(name, LargeBinary, nullable=True) for name in ENCRYPTED_CUSTOMER_FIELDS]
    plain = [
        Column(name, _PLAIN_FIELD_TYPES.get(name, String)(), nullable=True)
        for name in PLAIN_CUSTOMER_FIELDS
    ]
    return [*encrypted, *plain]


def _customer_fk(*, on_delete: str | None = None) -> ForeignKey:
    return ForeignKey("customers.id", ondelete=on_delete)


customers = Table(
    "customers",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    *_customer_columns(),
)

blind_indexes = Table(
    "blind_indexes",
    metadata,
    Column("customer_id", String(36), _customer_fk(on_delete="CASCADE"), nullable=False),
    Column("field", String, nullable=False),
    Column("key_version", Integer, nullable=False),
    Column("value", LargeBinary, nullable=False),
    PrimaryKeyConstraint("customer_id", "field", "key_version"),
    Index(None, "field", "value"),
)

subject_keys = Table(
    "subject_keys",
    metadata,
    Column("customer_id", String(36), _customer_fk(), primary_key=True),
    Column("wrapped", LargeBinary, nullable=False),
    Column("kek_version", Integer, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False, default=_now),
)

identifiers = Table(
    "identifiers",
    metadata,
    Column("id", serial_type(), primary_key=True, autoincrement=True),
    Column("customer_id", String(36), _customer_fk(), nullable=False, index=True),
    Column("kind", String, nullable=False),
    Column("key_version", Integer, nullable=False),
    Column("lookup", LargeBinary, nullable=False),
    Column("ciphertext", LargeBinary, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    # (kind, lookup) lead so that resolving lookups of any key version can use this index.
    UniqueConstraint("kind", "lookup", "key_version"),
)

sources = Table(
    "sources",
    metadata,
    Column("id", String, primary_key=True),
    Column("name", String, nullable=False, unique=True),
    Column("channel", String, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("disabled_at", UtcDateTime(), nullable=True),
    Column("allowed_origins", json_type(), nullable=False, server_default="[]"),
    Column("rate_limit", Integer, nullable=True),
    Column("require_signature", Boolean, nullable=False, server_default=false()),
)

write_keys = Table(
    "write_keys",
    metadata,
    Column("id", String, primary_key=True),
    Column("source_id", String, ForeignKey("sources.id"), nullable=False),
    Column("key_hash", LargeBinary, nullable=False, unique=True),
    Column("prefix", String, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("revoked_at", UtcDateTime(), nullable=True),
    Column("expires_at", UtcDateTime(), nullable=True),
    Column("signing_secret", LargeBinary, nullable=True),  # encrypted; see collect.signing
)

events = Table(
    "events",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("source_id", String, ForeignKey("sources.id"), nullable=False),
    Column("message_id", String, nullable=False),
    Column("customer_id", String(36), _customer_fk(), nullable=False, index=True),
    Column("type", String, nullable=False),
    Column("name", String, nullable=True),
    Column("properties", json_type(), nullable=False),
    Column("timestamp", UtcDateTime(), nullable=False),
    Column("received_at", UtcDateTime(), nullable=False),
    # Declared context fields kept plain, and the PII and unclassified properties and context
    # fields sealed under the customer's key (see collect.classification, vault.eventfields).
    Column("context", json_type(), nullable=True),
    Column("sealed", LargeBinary, nullable=True),
    UniqueConstraint("source_id", "message_id"),
)

orders = Table(
    "orders",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("source_id", String, ForeignKey("sources.id"), nullable=False),
    Column("external_id", String, nullable=False),
    Column("customer_id", String(36), _customer_fk(), nullable=False, index=True),
    Column("total", Numeric(14, 2), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("ordered_at", UtcDateTime(), nullable=False),
    # The card it was paid with, from the card vault. No foreign key: erasing a customer may
    # delete their cards, and their orders then keep a token that no longer resolves.
    Column("card_token", String(64), nullable=True),
    Column("card_last4", String(4), nullable=True),
    Column("card_brand", String(16), nullable=True),
    # When the store took the order in: the lake export reads orders in this order.
    Column("received_at", UtcDateTime(), nullable=False, default=_now),
    UniqueConstraint("source_id", "external_id"),
)

order_lines = Table(
    "order_lines",
    metadata,
    Column("id", serial_type(), primary_key=True, autoincrement=True),
    Column("order_id", String(36), ForeignKey("orders.id", ondelete="CASCADE"), nullable=False),
    Column("line_no", Integer, nullable=False),
    Column("sku", String, nullable=False),
    Column("name", String, nullable=True),
    Column("quantity", Integer, nullable=False),
    Column("unit_price", Numeric(14, 2), nullable=False),
    UniqueConstraint("order_id", "line_no"),
)

# Card numbers are kept here only, encrypted under the keyring's token key (AES-256-GCM bound to
# the token); everything else refers to a card by its random token.
card_vault = Table(
    "card_vault",
    metadata,
    Column("token", String(64), primary_key=True),
    Column("ciphertext", LargeBinary, nullable=False),
    Column("key_version", Integer, nullable=False),
    Column("fingerprint", LargeBinary, nullable=False),  # keyed HMAC: finds a card's token again
    Column("last4", String(4), nullable=False),
    Column("brand", String(16), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("customer_id", String(36), _customer_fk(on_delete="CASCADE"), nullable=True),
    # Fingerprint first, so the lookup by fingerprint uses this index. One token per card and
    # customer; cards of no customer never clash (NULLs are distinct).
    UniqueConstraint("fingerprint", "customer_id"),
)

consents = Table(
    "consents",
    metadata,
    Column("id", serial_type(), primary_key=True, autoincrement=True),
    Column("customer_id", String(36), _customer_fk(), nullable=False, index=True),
    Column("purpose", String, nullable=False),
    Column("granted", Boolean, nullable=False),
    Column("source_id", String, nullable=False),
    Column("recorded_at", UtcDateTime(), nullable=False),
    Column("wording_version", String(100), nullable=True),
)

principals = Table(
    "principals",
    metadata,
    Column("id", String, primary_key=True),
    Column("name", String, nullable=False, unique=True),
    Column("role", String, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("disabled_at", UtcDateTime(), nullable=True),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", String, primary_key=True),
    Column("principal_id", String, ForeignKey("principals.id"), nullable=False),
    Column("token_hash", LargeBinary, nullable=False, unique=True),
    Column("prefix", String, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("revoked_at", UtcDateTime(), nullable=True),
)

data_keys = Table(
    "data_keys",
    metadata,
    Column("kind", String, nullable=False),
    Column("version", Integer, nullable=False),
    Column("wrapped", LargeBinary, nullable=False),  # empty once the version is retired
    Column("created_at", UtcDateTime(), nullable=False),
    Column("index_bits", Integer, nullable=True),
    Column("retired_at", UtcDateTime(), nullable=True),
    PrimaryKeyConstraint("kind", "version"),
)

audit_entries = Table(
    "audit_entries",
    metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("occurred_at", UtcDateTime(), nullable=False),
    Column("actor", String, nullable=False),
    Column("action", String, nullable=False),
    Column("outcome", String, nullable=False),
    Column("resource_type", String, nullable=False),
    Column("resource_ids", json_type(), nullable=False),
    Column("data_classes", json_type(), nullable=False),
    Column("purpose", String, nullable=True),
    Column("detail", json_type(), nullable=False),
    Column("prev_hash", LargeBinary, nullable=False),
    Column("entry_hash", LargeBinary, nullable=False),
    Column("leaf_hash", LargeBinary, nullable=False),  # RFC 6962 leaf of the canonical entry
    # Where the act came from, when it came over the network (all null otherwise).
    Column("ip", String, nullable=True),
    Column("user_agent", String, nullable=True),
    Column("request_id", String, nullable=True),
)

audit_head = Table(
    "audit_head",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("seq", BigInteger, nullable=False),
    Column("entry_hash", LargeBinary, nullable=False),
    CheckConstraint("id = 1", name="single_row"),
)

# Signed tree heads of the audit log, also exported outside the database (see audit.checkpoints).
audit_checkpoints = Table(
    "audit_checkpoints",
    metadata,
    Column("tree_size", BigInteger, primary_key=True, autoincrement=False),
    Column("root_hash", LargeBinary, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("key_version", Integer, nullable=False),
    Column("document", String, nullable=False),  # the signed checkpoint, canonical JSON
    Column("frontier", LargeBinary, nullable=False),  # the subtree roots, 32 bytes each
    Column("export_errors", json_type(), nullable=False),  # sink -> what went wrong
    CheckConstraint("tree_size >= 1", name="tree_size"),
)

# One row per erased customer, under their pseudonym: never their id, never the erased values.
erasures = Table(
    "erasures",
    metadata,
    Column("pseudonym", String, primary_key=True),
    Column("erased_at", UtcDateTime(), nullable=False),
    Column("actor", String, nullable=False),
    Column("key_versions", json_type(), nullable=False),
    Column("receipt", String, nullable=False),  # the signed receipt, canonical JSON
    Column("recorded_at", UtcDateTime(), nullable=False),
)

# Alerts raised by the monitor; ``fingerprint`` (detector, principal, signal) finds repeats.
alerts = Table(
    "alerts",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("fingerprint", String(64), nullable=False, index=True),
    Column("detector", String, nullable=False),
    Column("severity", String(16), nullable=False),
    Column("status", String(16), nullable=False, index=True),
    Column("principal", String, nullable=False),
    Column("signal", String, nullable=False),
    Column("summary", String, nullable=False),
    Column("explanation", json_type(), nullable=False),
    Column("first_seen", UtcDateTime(), nullable=False),
    Column("last_seen", UtcDateTime(), nullable=False),
    Column("count", Integer, nullable=False),
    Column("last_seq", BigInteger, nullable=True),
    Column("deliveries", json_type(), nullable=False),
    Column("note", String, nullable=True),
    Column("handled_by", String, nullable=True),
    Column("handled_at", UtcDateTime(), nullable=True),
    CheckConstraint("severity IN ('low', 'medium', 'high', 'critical')", name="severity"),
    CheckConstraint("status IN ('open', 'acknowledged', 'closed')", name="status"),
    CheckConstraint("count >= 1", name="count"),
)

# Canary customers (and their cards): any read of one is a critical alert. Being listed here is
# the flag that keeps them out of analytics and exports.
honeytokens = Table(
    "honeytokens",
    metadata,
    Column("customer_id", String(36), _customer_fk(on_delete="CASCADE"), primary_key=True),
    Column("card_token", String(64), nullable=True, unique=True),
    Column("planted_at", UtcDateTime(), nullable=False),
)
