"""Domain types: plain dataclasses, no ORM or framework inside."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import NewType

from strongroom.core.schema import DataClass
from strongroom.core.trail import Origin

CustomerId = NewType("CustomerId", str)
JsonValue = str | int | float | bool | None | list["JsonValue"] | dict[str, "JsonValue"]
JsonObject = dict[str, JsonValue]


class Channel(StrEnum):
    """Where a source's data comes from."""

    WEB = "web"
    MOBILE = "mobile"
    POS = "pos"
    SERVER = "server"


class IdentifierKind(StrEnum):
    USER_ID = "user_id"
    ANONYMOUS_ID = "anonymous_id"
    # context.externalIds: one kind for every type; the value is "<type>:<id>", so the type is
    # hashed into the lookup and key rotation re-indexes it like any other identifier.
    EXTERNAL = "external"


IDENTIFIER_DATA_CLASS: dict[IdentifierKind, DataClass] = {
    IdentifierKind.USER_ID: DataClass.PII,
    IdentifierKind.ANONYMOUS_ID: DataClass.BEHAVIORAL,
    IdentifierKind.EXTERNAL: DataClass.PII,
}


@dataclass(frozen=True, slots=True)
class SubjectKey:
    """A customer's own data key, wrapped by a version of the field key-encryption key."""

    customer_id: CustomerId
    wrapped: bytes
    kek_version: int


@dataclass(slots=True)
class StoredCustomer:
    """A customer profile as stored: PII as ciphertext, demographics in the clear."""

    id: CustomerId
    created_at: datetime
    updated_at: datetime
    encrypted: dict[str, bytes] = field(default_factory=dict)
    demographics: dict[str, JsonValue] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class BlindIndexEntry:
    customer_id: CustomerId
    field: str
    key_version: int
    value: bytes


@dataclass(frozen=True, slots=True)
class Identifier:
    """One identifier of a customer: found by its blind index, shown from its ciphertext."""

    customer_id: CustomerId
    kind: IdentifierKind
    key_version: int
    lookup: bytes
    ciphertext: bytes
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Event:
    """A behavioral event (track, page, screen, identify) as stored."""

    id: str
    source_id: str
    message_id: str
    customer_id: CustomerId
    type: str
    name: str | None
    properties: JsonObject
    timestamp: datetime
    received_at: datetime
    # Declared context fields kept plain (locale, page path...), and the PII and unclassified
    # properties and context fields, sealed under the customer's key (vault.eventfields).
    context: JsonObject = field(default_factory=dict)
    sealed: bytes | None = None


@dataclass(frozen=True, slots=True)
class OrderLine:
    sku: str
    name: str | None
    quantity: int
    unit_price: Decimal


@dataclass(frozen=True, slots=True)
class Order:
    """A transaction, derived from an ``Order Completed`` event."""

    id: str
    source_id: str
    external_id: str
    customer_id: CustomerId
    total: Decimal
    currency: str
    ordered_at: datetime
    lines: tuple[OrderLine, ...]
    # The card it was paid with, if sent: its token from the card vault, never the number.
    card_token: str | None = None
    card_last4: str | None = None
    card_brand: str | None = None


@dataclass(frozen=True, slots=True)
class StoredCard:
    """A tokenised card as the card vault keeps it: the number only as ciphertext."""

    token: str
    ciphertext: bytes  # under the token key of ``key_version``, bound to the token
    key_version: int
    fingerprint: bytes  # keyed HMAC of the number and customer, to find the card's token again
    last4: str
    brand: str
    created_at: datetime
    customer_id: CustomerId | None = None


@dataclass(frozen=True, slots=True)
class Consent:
    customer_id: CustomerId
    purpose: str
    granted: bool
    source_id: str
    recorded_at: datetime
    wording_version: str | None = None  # which consent text the person saw, when known


@dataclass(frozen=True, slots=True)
class Source:
    id: str
    name: str
    channel: Channel
    created_at: datetime
    disabled_at: datetime | None = None
    # Settings (collect.sources): browser origins allowed to send, requests per second in one
    # server process (None: the default), and whether every batch must be signed.
    allowed_origins: tuple[str, ...] = ()
    rate_limit: int | None = None
    require_signature: bool = False


@dataclass(frozen=True, slots=True)
class WriteKey:
    id: str
    source_id: str
    key_hash: bytes
    prefix: str
    created_at: datetime
    revoked_at: datetime | None = None
    expires_at: datetime | None = None  # set when a rotation's overlap ends
    signing_secret: bytes | None = None  # the batch-signing secret, encrypted (collect.signing)


class PrincipalKind(StrEnum):
    STAFF = "staff"
    SOURCE = "source"
    LOCAL = "local"  # the operator at the server's console, holding the root passphrase
    SERVICE = "service"  # a service API key (access.machines)
    VENDOR = "vendor"  # a vendor's key: time-boxed, bound to networks, least data
    APP = "app"  # a third-party app holding an OAuth 2 access token
    ANONYMOUS = "anonymous"


@dataclass(frozen=True, slots=True)
class Principal:
    id: str
    name: str
    role: str
    created_at: datetime
    disabled_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class ApiToken:
    id: str
    principal_id: str
    token_hash: bytes
    prefix: str
    created_at: datetime
    revoked_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Actor:
    """Who is acting, as the audit log and the policy see them."""

    kind: PrincipalKind
    name: str
    role: str | None = None
    principal_id: str | None = None
    origin: Origin | None = None  # where the request came from, for the audit log
    # The permissions a machine key was narrowed to (access.gate checks them); None: the role's.
    scopes: frozenset[str] | None = None

    @property
    def label(self) -> str:
        return f"{self.kind.value}:{self.name}"


@dataclass(frozen=True, slots=True)
class WrappedDataKey:
    """A versioned keyring key (field KEK, blind-index key, ...), wrapped by the root key."""

    kind: str
    version: int
    wrapped: bytes
    created_at: datetime
    index_bits: int | None = None  # blind-index keys: how many bits of the HMAC are kept
    retired_at: datetime | None = None
