"""Ports: how capabilities reach storage and keys. Adapters implement them; tests fake them."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from types import TracebackType
from typing import Protocol, Self

from strongroom.core.models import (
    ApiToken,
    BlindIndexEntry,
    Consent,
    CustomerId,
    Event,
    Identifier,
    IdentifierKind,
    Order,
    Principal,
    Source,
    StoredCustomer,
    SubjectKey,
    WrappedDataKey,
    WriteKey,
)
from strongroom.core.trail import AuditDraft, AuditEntry, AuditHead


class CustomerRepository(Protocol):
    def get_many(self, ids: Sequence[CustomerId]) -> dict[CustomerId, StoredCustomer]:
        """Customers by id; missing ids are left out."""
        ...

    def add(self, customers: Sequence[StoredCustomer]) -> None: ...

    def update(self, customers: Sequence[StoredCustomer]) -> None: ...

    def find_by_blind_index(self, field: str, values: Sequence[bytes]) -> list[CustomerId]:
        """Ids of customers with any of these index values for ``field`` (may hold collisions)."""
        ...

    def replace_blind_indexes(self, entries: Sequence[BlindIndexEntry]) -> None:
        """Set the index values of each (customer, field, version) given."""
        ...

    def count(self) -> int: ...


class SubjectKeyRepository(Protocol):
    def get_many(self, ids: Sequence[CustomerId]) -> dict[CustomerId, SubjectKey]: ...

    def add(self, keys: Sequence[SubjectKey]) -> None: ...


class IdentifierRepository(Protocol):
    def resolve(self, kind: IdentifierKind, lookups: Sequence[bytes]) -> dict[bytes, CustomerId]:
        """Map each known lookup value of ``kind`` to its customer."""
        ...

    def for_customer(self, customer_id: CustomerId) -> list[Identifier]: ...

    def add(self, identifiers: Sequence[Identifier]) -> None: ...


class EventRepository(Protocol):
    def known_message_ids(self, source_id: str, message_ids: Sequence[str]) -> set[str]: ...

    def add(self, events: Sequence[Event]) -> None: ...

    def count_for_customer(self, customer_id: CustomerId) -> int: ...


class OrderRepository(Protocol):
    def known_external_ids(self, source_id: str, external_ids: Sequence[str]) -> set[str]: ...

    def add(self, orders: Sequence[Order]) -> None: ...

    def for_customer(self, customer_id: CustomerId) -> list[Order]: ...


class ConsentRepository(Protocol):
    def add(self, consents: Sequence[Consent]) -> None: ...

    def latest_for_customer(self, customer_id: CustomerId) -> dict[str, bool]: ...


class SourceRepository(Protocol):
    def add(self, source: Source, key: WriteKey) -> None: ...

    def by_name(self, name: str) -> Source | None: ...

    def by_key_hash(self, key_hash: bytes) -> Source | None:
        """The enabled source owning this unrevoked write key, if any."""
        ...

    def list(self) -> list[Source]: ...


class PrincipalRepository(Protocol):
    def add(self, principal: Principal) -> None: ...

    def by_name(self, name: str) -> Principal | None: ...


class ApiTokenRepository(Protocol):
    def add(self, token: ApiToken) -> None: ...

    def get(self, token_id: str) -> ApiToken | None: ...

    def by_hash(self, token_hash: bytes) -> tuple[ApiToken, Principal] | None:
        """The live token with this hash and its enabled principal, if any."""
        ...

    def revoke(self, token_id: str, when: datetime) -> None: ...


class DataKeyRepository(Protocol):
    def all(self) -> list[WrappedDataKey]: ...

    def add(self, keys: Sequence[WrappedDataKey]) -> None: ...


class AuditRepository(Protocol):
    def lock_head(self) -> AuditHead:
        """The chain's head, locked until the transaction ends so appends stay in order."""
        ...

    def append(self, entries: Sequence[AuditEntry]) -> None:
        """Store entries and move the head to the last of them."""
        ...

    def head(self) -> AuditHead: ...

    def scan(self, *, batch_size: int = 5000) -> Iterator[AuditEntry]:
        """Every entry in sequence order."""
        ...


class UnitOfWork(Protocol):
    """One transaction. Nothing else commits; leaving without ``commit`` rolls back."""

    customers: CustomerRepository
    subject_keys: SubjectKeyRepository
    identifiers: IdentifierRepository
    events: EventRepository
    orders: OrderRepository
    consents: ConsentRepository
    sources: SourceRepository
    principals: PrincipalRepository
    tokens: ApiTokenRepository
    data_keys: DataKeyRepository
    audit: AuditRepository

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    def commit(self) -> None: ...

    def rollback(self) -> None: ...


class UnitOfWorkFactory(Protocol):
    def __call__(self) -> UnitOfWork: ...


class AuditTrail(Protocol):
    """Appends entries to the audit log inside the caller's transaction."""

    def record(self, uow: UnitOfWork, drafts: Sequence[AuditDraft]) -> None: ...


class RootKey(Protocol):
    """The key at the top of the hierarchy: wraps and unwraps keyring keys, never leaves its home.

    A file or environment root key lives in memory; an HSM's never leaves the HSM.
    """

    @property
    def key_id(self) -> str:
        """A non-secret name for this root key (a fingerprint or an HSM label)."""
        ...

    def wrap(self, key: bytes, *, context: str) -> bytes: ...

    def unwrap(self, wrapped: bytes, *, context: str) -> bytes: ...


class RootKeyProvider(Protocol):
    """Where the root key comes from: a passphrase-protected file, an env var, an HSM."""

    def load(self) -> RootKey: ...
