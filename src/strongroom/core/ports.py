"""Ports: how capabilities reach storage and keys. Adapters implement them; tests fake them."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from types import TracebackType
from typing import Protocol, Self

from strongroom.core.catalog import FieldCatalogRepository
from strongroom.core.erasures import Erasure, ShreddedData
from strongroom.core.identity import (
    IdentifierCounts,
    MergeRepository,
    MergeReviewRepository,
    MovableRows,
)
from strongroom.core.imports import ImportRunRepository
from strongroom.core.incidents import ContainmentRepository, IncidentRepository
from strongroom.core.intake import DocumentRepository, QuarantineRepository
from strongroom.core.lake import LakeFeedRepository
from strongroom.core.machines import AppRepository, MachineKeyRepository
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
    StoredCard,
    StoredCustomer,
    SubjectKey,
    WrappedDataKey,
)
from strongroom.core.monitoring import AlertRepository, HoneytokenRepository
from strongroom.core.policy import PolicyRepository
from strongroom.core.privacy import DataSubjectRequestRepository, LegalHoldRepository
from strongroom.core.sources import SourceRepository
from strongroom.core.staff import StaffRepository
from strongroom.core.trail import AuditCheckpoint, AuditDraft, AuditEntry, AuditHead


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

    def missing_blind_index(
        self, field: str, key_version: int, *, limit: int, start: CustomerId | None = None
    ) -> list[CustomerId]:
        """Customers holding ``field`` with no index row of that version, from ``start`` on.

        Customers without a data key (erased) are never missing anything.
        """
        ...

    def count_blind_indexes(self) -> dict[tuple[str, int], int]:
        """Index rows per (field, key version)."""
        ...

    def delete_blind_indexes(self, key_version: int) -> int:
        """Drop every index row of a retired version; returns how many."""
        ...


class SubjectKeyRepository(Protocol):
    def get_many(self, ids: Sequence[CustomerId]) -> dict[CustomerId, SubjectKey]: ...

    def add(self, keys: Sequence[SubjectKey]) -> None: ...

    def not_wrapped_by(
        self, kek_version: int, *, limit: int, start: CustomerId | None = None
    ) -> list[SubjectKey]:
        """Up to ``limit`` keys wrapped by another KEK version, by customer id from ``start`` on."""
        ...

    def rewrap(self, keys: Sequence[SubjectKey]) -> None:
        """Replace the wrapped form and KEK version of each given customer's key."""
        ...

    def count_by_kek_version(self) -> dict[int, int]: ...


class IdentifierRepository(IdentifierCounts, Protocol):
    def resolve(self, kind: IdentifierKind, lookups: Sequence[bytes]) -> dict[bytes, CustomerId]:
        """Map each known lookup value of ``kind`` to its customer."""
        ...

    def for_customer(self, customer_id: CustomerId) -> list[Identifier]: ...

    def add(self, identifiers: Sequence[Identifier]) -> None: ...

    def missing_version(
        self, key_version: int, *, limit: int, start: CustomerId | None = None
    ) -> list[Identifier]:
        """One row for each (customer, kind, ciphertext) lacking this version, from ``start`` on."""
        ...

    def count_by_version(self) -> dict[int, int]: ...

    def delete_version(self, key_version: int) -> int:
        """Drop every identifier row of a retired blind-index version; returns how many."""
        ...


class EventRepository(MovableRows[str], Protocol):
    def known_message_ids(self, source_id: str, message_ids: Sequence[str]) -> set[str]: ...

    def add(self, events: Sequence[Event]) -> None: ...

    def count_for_customer(self, customer_id: CustomerId) -> int: ...

    def page_for_customer(
        self, customer_id: CustomerId, *, after: str | None = None, limit: int = 1000
    ) -> list[Event]:
        """The customer's events ordered by id, those after ``after``: pages for an export."""
        ...

    def count_before(self, cutoff: datetime, *, keep: Sequence[CustomerId]) -> int:
        """Events that happened before ``cutoff``, not counting the customers in ``keep``."""
        ...

    def delete_before(self, cutoff: datetime, *, keep: Sequence[CustomerId], limit: int) -> int:
        """Delete up to ``limit`` such events; returns how many (0 when none are left)."""
        ...


class OrderRepository(MovableRows[str], Protocol):
    def known_external_ids(self, source_id: str, external_ids: Sequence[str]) -> set[str]: ...

    def add(self, orders: Sequence[Order]) -> None: ...

    def for_customer(self, customer_id: CustomerId) -> list[Order]: ...

    def count_before(self, cutoff: datetime, *, keep: Sequence[CustomerId]) -> int:
        """Orders placed before ``cutoff``, not counting the customers in ``keep``."""
        ...

    def delete_before(self, cutoff: datetime, *, keep: Sequence[CustomerId], limit: int) -> int:
        """Delete up to ``limit`` such orders with their lines; returns how many."""
        ...


class CardVaultRepository(Protocol):
    """Tokenised cards: the number as ciphertext under the token key, found by token."""

    def add(self, cards: Sequence[StoredCard]) -> None: ...

    def get(self, token: str) -> StoredCard | None: ...

    def find_by_fingerprint(
        self, customer_id: CustomerId | None, fingerprints: Sequence[bytes]
    ) -> StoredCard | None:
        """The oldest card of this customer (or of no customer) with any of these fingerprints."""
        ...

    def count_by_key_version(self) -> dict[int, int]:
        """Cards per token key version: what each version still protects."""
        ...


class ConsentRepository(MovableRows[int], Protocol):
    def add(self, consents: Sequence[Consent]) -> None: ...

    def latest_for_customer(self, customer_id: CustomerId) -> dict[str, bool]: ...

    def history(self, customer_id: CustomerId) -> list[Consent]:
        """Every decision recorded for the customer, oldest first (the ledger keeps them all)."""

    def granted_customers(self, purpose: str) -> list[CustomerId]:
        """Customers whose newest decision for ``purpose`` is a grant, by id (for analytics)."""
        ...


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
    def all(self) -> list[WrappedDataKey]:
        """Every version of every kind, retired ones included, by kind then version."""
        ...

    def add(self, keys: Sequence[WrappedDataKey]) -> None: ...

    def rewrap(self, keys: Sequence[WrappedDataKey]) -> None:
        """Replace the wrapped form of each given (kind, version): root-key rotation."""
        ...

    def retire(self, kind: str, version: int, when: datetime) -> None:
        """Mark a version retired and drop its wrapped key: what it protected is unreadable."""
        ...


class AuditRepository(Protocol):
    def lock_head(self) -> AuditHead:
        """The chain's head, locked until the transaction ends so appends stay in order."""
        ...

    def append(self, entries: Sequence[AuditEntry]) -> None:
        """Store entries and move the head to the last of them."""
        ...

    def head(self) -> AuditHead: ...

    def scan(self, *, batch_size: int = 5000, after: int = 0) -> Iterator[AuditEntry]:
        """Every entry numbered above ``after``, in sequence order."""
        ...

    def leaf_hashes(self, *, stop: int) -> list[bytes]:
        """The stored leaf hashes of entries 1 to ``stop``, in sequence order."""
        ...

    def add_checkpoint(self, checkpoint: AuditCheckpoint) -> None:
        """Store a signed checkpoint; ConflictError if one of that tree size exists."""
        ...

    def latest_checkpoint(self) -> AuditCheckpoint | None:
        """The checkpoint of the largest tree size, if any."""
        ...

    def checkpoints(self) -> list[AuditCheckpoint]:
        """Every stored checkpoint, by tree size."""
        ...

    def set_export_errors(self, tree_size: int, errors: dict[str, str]) -> None:
        """Record which sinks failed to take the checkpoint of ``tree_size``, and why."""
        ...


class ErasureRepository(Protocol):
    """Crypto-shredding in the store, and the record of who was erased (by pseudonym only)."""

    def shred(self, customer_id: CustomerId) -> ShreddedData:
        """Delete the customer's subject key, identifiers and blind indexes; keep all else."""
        ...

    def shred_many(self, customer_ids: Sequence[CustomerId]) -> dict[CustomerId, ShreddedData]:
        """``shred`` for many customers at once; every id given is in the answer."""
        ...

    def add(self, erasure: Erasure) -> None:
        """Record an erasure; ConflictError if its pseudonym is recorded already."""
        ...

    def add_many(self, erasures: Sequence[Erasure]) -> None:
        """Record several erasures at once."""
        ...

    def find(self, pseudonyms: Sequence[str]) -> list[Erasure]:
        """The recorded erasures with any of these pseudonyms."""
        ...

    def keyed_customers(self, *, after: CustomerId | None, limit: int) -> list[CustomerId]:
        """Up to ``limit`` customers that still hold a subject key, in id order after ``after``."""
        ...


class UnitOfWork(Protocol):
    """One transaction. Nothing else commits; leaving without ``commit`` rolls back."""

    customers: CustomerRepository
    subject_keys: SubjectKeyRepository
    identifiers: IdentifierRepository
    events: EventRepository
    orders: OrderRepository
    cards: CardVaultRepository
    consents: ConsentRepository
    sources: SourceRepository
    principals: PrincipalRepository
    tokens: ApiTokenRepository
    data_keys: DataKeyRepository
    audit: AuditRepository
    erasures: ErasureRepository
    alerts: AlertRepository
    honeytokens: HoneytokenRepository
    field_catalog: FieldCatalogRepository
    lake_feed: LakeFeedRepository
    merges: MergeRepository
    merge_reviews: MergeReviewRepository
    incidents: IncidentRepository
    containment: ContainmentRepository
    imports: ImportRunRepository
    privacy_requests: DataSubjectRequestRepository
    legal_holds: LegalHoldRepository
    documents: DocumentRepository
    quarantine: QuarantineRepository
    staff: StaffRepository
    machine_keys: MachineKeyRepository
    apps: AppRepository
    policy: PolicyRepository

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


class CheckpointSink(Protocol):
    """A place outside the database that keeps signed audit checkpoints: a directory, syslog,
    an HTTP witness. Whoever rewrites the database cannot rewrite what it already holds."""

    @property
    def name(self) -> str:
        """Where checkpoints go, fit for messages (no credentials)."""
        ...

    def publish(self, tree_size: int, document: str) -> None:
        """Hand over one signed checkpoint; CheckpointExportError if it did not arrive."""
        ...


class CheckpointArchive(Protocol):
    """A sink whose checkpoints can be read back (the directory), for ``audit verify``."""

    @property
    def location(self) -> str: ...

    def exported(self) -> list[tuple[str, str]]:
        """Every checkpoint kept there as (where, JSON text), oldest first."""
        ...
