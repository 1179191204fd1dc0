"""One database transaction with every repository on its connection."""

from __future__ import annotations

from types import TracebackType
from typing import TYPE_CHECKING, Self

from sqlalchemy.engine import Connection, Engine

from strongroom.adapters.sql._support import domain_errors
from strongroom.adapters.sql.cards import SqlCardVaultRepository
from strongroom.adapters.sql.engine import READ_ONLY
from strongroom.adapters.sql.erasures import SqlErasureRepository
from strongroom.adapters.sql.monitoring import SqlAlertRepository, SqlHoneytokenRepository
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
