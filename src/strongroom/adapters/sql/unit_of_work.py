"""One database transaction with every repository on its connection."""

from __future__ import annotations

from types import TracebackType
from typing import TYPE_CHECKING, Self

from sqlalchemy.engine import Connection, Engine

from strongroom.adapters.sql._support import domain_errors
from strongroom.adapters.sql.cards import SqlCardVaultRepository
from strongroom.adapters.sql.catalog import SqlFieldCatalogRepository
from strongroom.adapters.sql.engine import READ_ONLY
from strongroom.adapters.sql.erasures import SqlErasureRepository
from strongroom.adapters.sql.identity import SqlMergeRepository, SqlMergeReviewRepository
from strongroom.adapters.sql.imports import SqlImportRunRepository
from strongroom.adapters.sql.incidents import SqlContainmentRepository, SqlIncidentRepository
from strongroom.adapters.sql.intake import SqlDocumentRepository, SqlQuarantineRepository
from strongroom.adapters.sql.lake_feed import SqlLakeFeedRepository
from strongroom.adapters.sql.machines import SqlAppRepository, SqlMachineKeyRepository
from strongroom.adapters.sql.monitoring import SqlAlertRepository, SqlHoneytokenRepository
from strongroom.adapters.sql.policy import SqlPolicyRepository
from strongroom.adapters.sql.privacy import SqlDataSubjectRequestRepository, SqlLegalHoldRepository
from strongroom.adapters.sql.repositories import (
    SqlApiTokenRepository,
    SqlAuditRepository,
    SqlConsentRepository,
    SqlCustomerRepository,
    SqlDataKeyRepository,
    SqlEventRepository,
    SqlIdentifierRepository,
    SqlOrderRepository,
    SqlPrincipalRepository,
    SqlSourceRepository,
    SqlSubjectKeyRepository,
)
from strongroom.adapters.sql.staff import SqlStaffRepository
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


class SqlUnitOfWork:
    """A transaction on one connection; leaving it without ``commit`` rolls back."""

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

    def __init__(self, engine: Engine, *, read_only: bool = False) -> None:
        self._engine = engine
        self._read_only = read_only
        self._connection: Connection | None = None

    def __enter__(self) -> Self:
        if self._connection is not None:
            raise RuntimeError("this unit of work is already in use")
        connection = self._engine.connect()
        if self._read_only:
            connection = connection.execution_options(**{READ_ONLY: True})
        try:
            connection.begin()
        except BaseException:
            connection.close()
            raise
        self._connection = connection
        self._build_repositories(connection)
        return self

    def _build_repositories(self, connection: Connection) -> None:
        self.customers = SqlCustomerRepository(connection)
        self.subject_keys = SqlSubjectKeyRepository(connection)
        self.identifiers = SqlIdentifierRepository(connection)
        self.events = SqlEventRepository(connection)
        self.orders = SqlOrderRepository(connection)
        self.cards = SqlCardVaultRepository(connection)
        self.consents = SqlConsentRepository(connection)
        self.sources = SqlSourceRepository(connection)
        self.principals = SqlPrincipalRepository(connection)
        self.tokens = SqlApiTokenRepository(connection)
        self.data_keys = SqlDataKeyRepository(connection)
        self.audit = SqlAuditRepository(connection)
        self.erasures = SqlErasureRepository(connection)
        self.alerts = SqlAlertRepository(connection)
        self.honeytokens = SqlHoneytokenRepository(connection)
        self.documents = SqlDocumentRepository(connection)
        self.quarantine = SqlQuarantineRepository(connection)
        self.field_catalog = SqlFieldCatalogRepository(connection)
        self.merges = SqlMergeRepository(connection)
        self.merge_reviews = SqlMergeReviewRepository(connection)
        self.lake_feed = SqlLakeFeedRepository(connection)
        self.incidents = SqlIncidentRepository(connection)
        self.containment = SqlContainmentRepository(connection)
        self.imports = SqlImportRunRepository(connection)
        self.privacy_requests = SqlDataSubjectRequestRepository(connection)
        self.legal_holds = SqlLegalHoldRepository(connection)
        self.staff = SqlStaffRepository(connection)
        self.machine_keys = SqlMachineKeyRepository(connection)
        self.apps = SqlAppRepository(connection)
        self.policy = SqlPolicyRepository(connection)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        connection, self._connection = self._active(), None
        try:
            if connection.in_transaction():
                connection.rollback()
        finally:
            connection.close()

    def commit(self) -> None:
        """Make everything done so far permanent; later work starts a new transaction."""
        with domain_errors():
            self._active().commit()

    def rollback(self) -> None:
        """Discard everything done since the last commit."""
        self._active().rollback()

    def _active(self) -> Connection:
        if self._connection is None:
            raise RuntimeError("the unit of work is not entered; use it in a with block")
        return self._connection


class SqlUnitOfWorkFactory:
    """Makes a fresh SqlUnitOfWork per use, all on one engine."""

    def __init__(self, engine: Engine, *, read_only: bool = False) -> None:
        self.engine = engine
        self._read_only = read_only

    def __call__(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.engine, read_only=self._read_only)


if TYPE_CHECKING:

    def _conforms(factory: SqlUnitOfWorkFactory) -> UnitOfWorkFactory:
        return factory
