"""In-memory fakes of every repository and the unit of work, for tests of the services.

They keep the SQL adapters' contract (tests/integration/adapters runs one suite on both):
the same uniqueness conflicts, UTC datetimes, copies in and out, and commit or roll back.
Foreign keys are not checked. Units of work run one at a time, as SQLite's do.
"""

from __future__ import annotations

from strongroom.adapters.memory.audit import MemoryAuditRepository
from strongroom.adapters.memory.cards import MemoryCardVaultRepository
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
from strongroom.adapters.memory.store import MemoryStore
from strongroom.adapters.memory.unit_of_work import MemoryUnitOfWork, MemoryUnitOfWorkFactory

__all__ = [
    "MemoryApiTokenRepository",
    "MemoryAuditRepository",
    "MemoryCardVaultRepository",
    "MemoryConsentRepository",
    "MemoryCustomerRepository",
    "MemoryDataKeyRepository",
    "MemoryEventRepository",
    "MemoryIdentifierRepository",
    "MemoryOrderRepository",
    "MemoryPrincipalRepository",
    "MemorySourceRepository",
    "MemoryStore",
    "MemorySubjectKeyRepository",
    "MemoryUnitOfWork",
    "MemoryUnitOfWorkFactory",
]
