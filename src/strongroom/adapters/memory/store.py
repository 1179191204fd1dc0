"""The fakes' shared state, and the helpers that keep them true to the SQL adapters' contract."""

from __future__ import annotations

from collections.abc import Container, Hashable, Iterable
from dataclasses import dataclass, field, fields, replace
from datetime import datetime
from typing import TYPE_CHECKING, TypeVar

from strongroom.adapters.memory.incident_state import IncidentState
from strongroom.adapters.memory.machine_state import MachineState
from strongroom.adapters.memory.policy_state import PolicyState
from strongroom.adapters.memory.staff_state import StaffState
from strongroom.core.catalog import CatalogEntry, FieldKey
from strongroom.core.clock import ensure_utc
from strongroom.core.erasures import Erasure
from strongroom.core.errors import ConflictError
from strongroom.core.identity import Merge, MergeMove, MergeReview
from strongroom.core.imports import ImportRun
from strongroom.core.intake import QuarantinedFile, StoredDocument
from strongroom.core.models import (
    ApiToken,
    Consent,
    CustomerId,
    Event,
    Identifier,
    IdentifierKind,
    Order,
    Principal,
    Source,
    StoredCard,
    StoredCustomer,
    SubjectKey,
    WrappedDataKey,
    WriteKey,
)
from strongroom.core.monitoring import Alert, Honeytoken
from strongroom.core.privacy import DataSubjectRequest, LegalHold
from strongroom.core.trail import GENESIS_HASH, AuditCheckpoint, AuditEntry, AuditHead

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

D = TypeVar("D", bound="DataclassInstance")
K = TypeVar("K", bound=Hashable)


@dataclass
class MemoryStore:
    """Everything the fakes hold; a unit of work stages a copy and commits by swapping it in."""

    customers: dict[CustomerId, StoredCustomer] = field(default_factory=dict)
    blind_indexes: dict[tuple[CustomerId, str, int], bytes] = field(default_factory=dict)
    subject_keys: dict[CustomerId, SubjectKey] = field(default_factory=dict)
    identifiers: dict[tuple[IdentifierKind, bytes, int], Identifier] = field(default_factory=dict)
    events: dict[str, Event] = field(default_factory=dict)
    orders: dict[str, Order] = field(default_factory=dict)
    order_received_at: dict[str, datetime] = field(default_factory=dict)  # as orders.received_at
    cards: dict[str, StoredCard] = field(default_factory=dict)
    consents: list[Consent] = field(default_factory=list)
    sources: dict[str, Source] = field(default_factory=dict)
    write_keys: dict[str, WriteKey] = field(default_factory=dict)
    seen_signatures: dict[tuple[str, bytes], datetime] = field(default_factory=dict)
    principals: dict[str, Principal] = field(default_factory=dict)
    tokens: dict[str, ApiToken] = field(default_factory=dict)
    data_keys: dict[tuple[str, int], WrappedDataKey] = field(default_factory=dict)
    audit_entries: dict[int, AuditEntry] = field(default_factory=dict)
    audit_head: AuditHead = field(default_factory=lambda: AuditHead(0, GENESIS_HASH))
    audit_checkpoints: dict[int, AuditCheckpoint] = field(default_factory=dict)
    erasures: dict[str, Erasure] = field(default_factory=dict)
    alerts: dict[str, Alert] = field(default_factory=dict)
    honeytokens: dict[CustomerId, Honeytoken] = field(default_factory=dict)
    documents: dict[str, StoredDocument] = field(default_factory=dict)
    quarantine: dict[str, QuarantinedFile] = field(default_factory=dict)
    field_catalog: dict[FieldKey, CatalogEntry] = field(default_factory=dict)
    merges: dict[str, Merge] = field(default_factory=dict)
    merge_moves: list[MergeMove] = field(default_factory=list)
    merge_reviews: dict[str, MergeReview] = field(default_factory=dict)
    incidents: IncidentState = field(default_factory=IncidentState)
    staff: StaffState = field(default_factory=StaffState)
    import_runs: dict[str, ImportRun] = field(default_factory=dict)
    privacy_requests: dict[str, DataSubjectRequest] = field(default_factory=dict)
    legal_holds: dict[str, LegalHold] = field(default_factory=dict)
    machines: MachineState = field(default_factory=MachineState)
    policy: PolicyState = field(default_factory=PolicyState)


class Staging:
    """The store a unit of work changes; repositories reach it through here, never directly."""

    def __init__(self, store: MemoryStore) -> None:
        self.store = store


def as_utc(item: D) -> D:
    """``item`` with every datetime field in UTC, as the SQL adapters return them."""
    changes = {
        f.name: ensure_utc(value)
        for f in fields(item)
        if isinstance(value := getattr(item, f.name), datetime)
    }
    return replace(item, **changes) if changes else item


def check_new(taken: Container[K], keys: Iterable[K], what: str) -> None:
    """Raise ConflictError if a key is taken already or repeats within ``keys``."""
    seen: set[K] = set()
    for key in keys:
        if key in taken or key in seen:
            raise ConflictError(f"the change conflicts with stored data (duplicate {what})")
        seen.add(key)


def stored_customer(customer: StoredCustomer) -> StoredCustomer:
    return as_utc(
        replace(
            customer,
            encrypted={k: v for k, v in customer.encrypted.items() if v is not None},
            demographics={k: v for k, v in customer.demographics.items() if v is not None},
        )
    )
