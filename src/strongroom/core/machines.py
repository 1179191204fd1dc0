"""Machine principals: service API keys, vendor keys and third-party apps, with their ports.

A service key acts in a declared role narrowed to its scopes; a vendor key reads only its listed
profile fields, from its networks, inside its time box; a third-party app holds OAuth 2 client
credentials and reads a customer only for a purpose that customer granted that app.
"""

from __future__ import annotations

import builtins
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from strongroom.core.models import CustomerId


class MachineKind(StrEnum):
    SERVICE = "service"
    VENDOR = "vendor"


@dataclass(frozen=True, slots=True)
class MachineKey:
    """A service or vendor key as stored: the secret only as its SHA-256."""

    id: str
    kind: MachineKind
    name: str
    key_hash: bytes
    prefix: str
    created_at: datetime
    created_by: str
    valid_from: datetime
    expires_at: datetime
    role: str | None = None  # service keys: the declared role they act in
    scopes: tuple[str, ...] = ()  # service keys: the permissions they may use
    networks: tuple[str, ...] = ()  # CIDRs the key may be used from; required for vendors
    fields: tuple[str, ...] = ()  # vendors: the only profile fields they are shown
    purpose: str | None = None  # vendors: the declared purpose their reads are done for
    cert_fingerprint: str | None = None  # hex SHA-256 of the client certificate it needs
    revoked_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class ThirdPartyApp:
    """An OAuth 2 client (RFC 6749 client credentials) and the scopes it was registered for."""

    client_id: str
    name: str
    secret_hash: bytes
    scopes: tuple[str, ...]  # purposes the app may ask customers for
    created_at: datetime
    created_by: str
    revoked_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class AppToken:
    """A short-lived access token of an app, stored as its SHA-256."""

    token_hash: bytes
    client_id: str
    scopes: tuple[str, ...]
    issued_at: datetime
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class AppGrant:
    """One decision of a customer about one app and one purpose; the newest is in force."""

    customer_id: CustomerId
    client_id: str
    purpose: str
    granted: bool
    recorded_at: datetime
    recorded_by: str  # the actor label of whoever recorded it


class MachineKeyRepository(Protocol):
    def add(self, key: MachineKey) -> None: ...

    def get(self, key_id: str) -> MachineKey | None: ...

    def by_hash(self, key_hash: bytes) -> MachineKey | None:
        """The key with this hash, revoked or not (the caller checks the time box)."""
        ...

    def list(self, kind: MachineKind) -> builtins.list[MachineKey]:
        """Every key of ``kind``, oldest first."""
        ...

    def revoke(self, key_id: str, when: datetime) -> None:
        """Revoke the key at ``when``; revoking it again keeps the first time."""
        ...


class AppRepository(Protocol):
    def add(self, app: ThirdPartyApp) -> None: ...

    def get(self, client_id: str) -> ThirdPartyApp | None: ...

    def list(self) -> builtins.list[ThirdPartyApp]:
        """Every app, oldest first."""
        ...

    def revoke(self, client_id: str, when: datetime) -> None:
        """Revoke the app (and so every token of it) at ``when``; the first time is kept."""
        ...

    def add_token(self, token: AppToken) -> None: ...

    def token(self, token_hash: bytes) -> AppToken | None: ...

    def forget_tokens(self, before: datetime) -> int:
        """Delete tokens that expired before ``before``; how many were deleted."""
        ...

    def add_grant(self, grant: AppGrant) -> None: ...

    def grant_in_force(self, customer_id: CustomerId, client_id: str, purpose: str) -> bool:
        """Whether the newest decision of the customer for this app and purpose is a grant."""
        ...

    def grants(self, customer_id: CustomerId) -> builtins.list[AppGrant]:
        """Every decision of the customer about apps, oldest first."""
        ...
