"""The in-memory unit of work: stage a copy of the store, commit by swapping it in."""

from __future__ import annotations

import threading
from copy import deepcopy
from types import TracebackType
from typing import TYPE_CHECKING, Self

from strongroom.adapters.memory.audit import MemoryAuditRepository
from strongroom.adapters.memory.cards import MemoryCardVaultRepository
from strongroom.adapters.memory.catalog import MemoryFieldCatalogRepository
from strongroom.adapters.memory.erasures import MemoryErasureRepository
from strongroom.adapters.memory.identity import MemoryMergeRepository, MemoryMergeReviewRepository
from strongroom.adapters.memory.imports import MemoryImportRunRepository
from strongroom.adapters.memory.incidents import (
    MemoryContainmentRepository,
    MemoryIncidentRepository,
)
from strongroom.adapters.memory.intake import MemoryDocumentRepository, MemoryQuarantineRepository
from strongroom.adapters.memory.lake_feed import MemoryLakeFeedRepository
from strongroom.adapters.memory.machines import MemoryAppRepository, MemoryMachineKeyRepository
from strongroom.adapters.memory.monitoring import MemoryAlertRepository, MemoryHoneytokenRepository
from strongroom.adapters.memory.policy import MemoryPolicyRepository
from strongroom.adapters.memory.privacy import (
    MemoryDataSubjectRequestRepository,
    MemoryLegalHoldRepository,
)
from strongroom.adapters.memory.repositories import (
    MemoryApiTokenRepository,
    MemoryConsentRepository,
    MemoryCustomerRepository,
    MemoryDataKeyRepository,
    MemoryEventRepository,
    MemoryIdentifierRepository,
    MemoryOrderRepository,
    MemoryPrincipalRepository,
    MemorySubjectKeyRepository,
)
from strongroom.adapters.memory.sources import MemorySourceRepository
from strongroom.adapters.memory.staff import MemoryStaffRepository
from strongroom.adapters.memory.store import MemoryStore, Staging
from strongroom.core.catalog import FieldCatalogRepository
from strongroom.core.identity import MergeRepository, MergeReviewRepository
from strongroom.core.imports import ImportRunRepository
from strongroom.core.incidents import ContainmentRepository, IncidentRepository
from strongroom.core.intake import DocumentRepository, QuarantineRepository
from strongroom.core.lake import LakeFeedRepository
from strongroom.core.machines import AppRepository, MachineKeyRepository
from strongroom.core.monitoring import AlertRepository, HoneytokenRepository
from strongroom.core.policy import PolicyRepository
from strongroom.core.ports import (
    ApiTokenRepository,
    AuditRepository,
    CardVaultRepository,
    ConsentRepository,
    CustomerRepository,
    DataKeyRepository,
    ErasureRepository,
    EventRepository,
    IdentifierRepository,
    OrderRepository,
    PrincipalRepository,
    SubjectKeyRepository,
    UnitOfWorkFactory,
)
from strongroom.core.privacy import DataSubjectRequestRepository, LegalHoldRepository
from strongroom.core.sources import SourceRepository
from strongroom.core.staff import StaffRepository


class MemoryUnitOfWork:
    """Fake of UnitOfWork: stages a copy of the store, and commit swaps it in."""

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
    documents: DocumentRepository
    quarantine: QuarantineRepository
    field_catalog: FieldCatalogRepository
    merges: MergeRepository
    merge_reviews: MergeReviewRepository
    lake_feed: LakeFeedRepository
    incidents: IncidentRepository
    containment: ContainmentRepository
    imports: ImportRunRepository
    privacy_requests: DataSubjectRequestRepository
    legal_holds: LegalHoldRepository
    staff: StaffRepository
    machine_keys: MachineKeyRepository
    apps: AppRepository
    policy: PolicyRepository

    def __init__(self, factory: MemoryUnitOfWorkFactory) -> None:
        self._factory = factory
        self._staging: Staging | None = None

    def __enter__(self) -> Self:
        if self._staging is not None:
            raise RuntimeError("this unit of work is already in use")
        self._factory.lock.acquire()
        staging = self._staging = Staging(deepcopy(self._factory.store))
        self.customers = MemoryCustomerRepository(staging)
        self.subject_keys = MemorySubjectKeyRepository(staging)
        self.identifiers = MemoryIdentifierRepository(staging)
        self.events = MemoryEventRepository(staging)
        self.orders = MemoryOrderRepository(staging)
        self.cards = MemoryCardVaultRepository(staging)
        self.consents = MemoryConsentRepository(staging)
        self.sources = MemorySourceRepository(staging)
        self.principals = MemoryPrincipalRepository(staging)
        self.tokens = MemoryApiTokenRepository(staging)
        self.data_keys = MemoryDataKeyRepository(staging)
        self.audit = MemoryAuditRepository(staging)
        self.erasures = MemoryErasureRepository(staging)
        self.alerts = MemoryAlertRepository(staging)
        self.honeytokens = MemoryHoneytokenRepository(staging)
        self.documents = MemoryDocumentRepository(staging)
        self.quarantine = MemoryQuarantineRepository(staging)
        self.field_catalog = MemoryFieldCatalogRepository(staging)
        self.merges = MemoryMergeRepository(staging)
        self.merge_reviews = MemoryMergeReviewRepository(staging)
        self.lake_feed = MemoryLakeFeedRepository(staging)
        self.incidents = MemoryIncidentRepository(staging)
        self.containment = MemoryContainmentRepository(staging)
        self.imports = MemoryImportRunRepository(staging)
        self.privacy_requests = MemoryDataSubjectRequestRepository(staging)
        self.legal_holds = MemoryLegalHoldRepository(staging)
        self.staff = MemoryStaffRepository(staging)
        self.machine_keys = MemoryMachineKeyRepository(staging)
        self.apps = MemoryAppRepository(staging)
        self.policy = MemoryPolicyRepository(staging)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._active()
        self._staging = None
        self._factory.lock.release()

    def commit(self) -> None:
        """Make the staged changes the shared state; later work is staged anew."""
        staging = self._active()
        self._factory.store = staging.store
        staging.store = deepcopy(staging.store)

    def rollback(self) -> None:
        """Discard the staged changes."""
        staging = self._active()
        staging.store = deepcopy(self._factory.store)

    def _active(self) -> Staging:
        if self._staging is None:
            raise RuntimeError("the unit of work is not entered; use it in a with block")
        return self._staging


class MemoryUnitOfWorkFactory:
    """Makes MemoryUnitOfWorks over one shared store, one running at a time."""

    def __init__(self, store: MemoryStore | None = None) -> None:
        self.store = store if store is not None else MemoryStore()
        self.lock = threading.RLock()

    def __call__(self) -> MemoryUnitOfWork:
        return MemoryUnitOfWork(self)


if TYPE_CHECKING:

    def _conforms(factory: MemoryUnitOfWorkFactory) -> UnitOfWorkFactory:
        return factory
