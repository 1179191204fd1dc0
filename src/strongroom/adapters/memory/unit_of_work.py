"""The in-memory unit of work: stage a copy of the store, commit by swapping it in."""

from __future__ import annotations

import threading
from copy import deepcopy
from types import TracebackType
from typing import TYPE_CHECKING, Self

from strongroom.adapters.memory.audit import MemoryAuditRepository
from strongroom.adapters.memory.cards import MemoryCardVaultRepository
from strongroom.adapters.memory.erasures import MemoryErasureRepository
from strongroom.adapters.memory.monitoring import MemoryAlertRepository, MemoryHoneytokenRepository
from strongroom.adapters.memory.repositories import (
    MemoryApiTokenRepository,
    MemoryConsentRepository,
    MemoryCustomerRepository,
    MemoryDataKeyRepository,
    MemoryEventRepository,
    MemoryIdentifierRepository,
    MemoryOrderRepository,
    MemoryPrincipalRepository,
    MemorySourceRepository,
    MemorySubjectKeyRepository,
)
from strongroom.adapters.memory.store import MemoryStore, Staging
from strongroom.core.monitoring import AlertRepository, HoneytokenRepository
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
    SourceRepository,
    SubjectKeyRepository,
    UnitOfWorkFactory,
)


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
