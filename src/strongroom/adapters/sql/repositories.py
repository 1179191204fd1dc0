"""Every SQL repository, one per port in ``core.ports``, each working on one Connection."""

from __future__ import annotations

from strongroom.adapters.sql.activity import (
    SqlConsentRepository,
    SqlEventRepository,
    SqlOrderRepository,
)
from strongroom.adapters.sql.audit import SqlAuditRepository
from strongroom.adapters.sql.cards import SqlCardVaultRepository
from strongroom.adapters.sql.credentials import (
    SqlApiTokenRepository,
    SqlDataKeyRepository,
    SqlPrincipalRepository,
)
from strongroom.adapters.sql.customers import (
    SqlCustomerRepository,
    SqlIdentifierRepository,
    SqlSubjectKeyRepository,
)
from strongroom.adapters.sql.sources import SqlSourceRepository

__all__ = [
    "SqlApiTokenRepository",
    "SqlAuditRepository",
    "SqlCardVaultRepository",
    "SqlConsentRepository",
    "SqlCustomerRepository",
    "SqlDataKeyRepository",
    "SqlEventRepository",
    "SqlIdentifierRepository",
    "SqlOrderRepository",
    "SqlPrincipalRepository",
    "SqlSourceRepository",
    "SqlSubjectKeyRepository",
]
