"""The composition root: the one place that wires capabilities to adapters."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Engine

from strongroom.access.profiles import ProfileReader
from strongroom.adapters.keyproviders import PassphraseFileKeyProvider
from strongroom.adapters.sql.engine import create_database_engine
from strongroom.adapters.sql.migrate import upgrade_database
from strongroom.adapters.sql.unit_of_work import SqlUnitOfWorkFactory
from strongroom.adapters.tls import create_self_signed_certificate
from strongroom.audit.service import AuditLog
from strongroom.collect.service import Ingestor
from strongroom.core.clock import Clock, SystemClock
from strongroom.core.errors import ConfigurationError, ConflictError
from strongroom.core.models import Actor
from strongroom.core.ports import UnitOfWorkFactory
from strongroom.core.trail import AuditAction, AuditDraft, Outcome
from strongroom.settings import Settings
from strongroom.vault.keyring import Keyring
from strongroom.vault.service import SubjectVault


@dataclass
class App:
    """Strongroom's services, wired to their adapters. Close it when done."""

    settings: Settings
    clock: Clock
    uow_factory: UnitOfWorkFactory
    audit: AuditLog
    vault: SubjectVault
    ingestor: Ingestor
    profiles: ProfileReader
    _engine: Engine = field(repr=False)

    def close(self) -> None:
        self._engine.dispose()


@dataclass(frozen=True, slots=True)
class InitReport:
    home: str
    database: str
    root_key_path: str
    tls_cert_path: str


def build(settings: Settings, *, passphrase: str | None, clock: Clock | None = None) -> App:
    """Open the root key, the database and the keyring; fail closed on anything amiss."""
    clock = clock or SystemClock()
    provider = PassphraseFileKeyProvider(
        settings.root_key_path, passphrase, dev_mode=settings.dev_mode
    )
    root_key = provider.load()
    engine = create_database_engine(settings.database)
    try:
        upgrade_database(engine)
        uow_factory = SqlUnitOfWorkFactory(engine)
        with uow_factory() as uow:
            wrapped = uow.data_keys.all()
        if not wrapped:
            raise ConfigurationError(
                "the database holds no keyring: run `strongroom init` for this data home"
            )
        vault = SubjectVault(Keyring.open(root_key, wrapped))
    except BaseException:
        engine.dispose()
        raise
    audit = AuditLog(clock)
    return App(
        settings=settings,
        clock=clock,
        uow_factory=uow_factory,
        audit=audit,
        vault=vault,
        ingestor=Ingestor(uow_factory=uow_factory, vault=vault, audit=audit, clock=clock),
        profiles=ProfileReader(uow_factory=uow_factory, vault=vault, audit=audit),
        _engine=engine,
    )


def initialise(
    settings: Settings, *, passphrase: str | None, actor: Actor, clock: Clock | None = None
) -> InitReport:
    """Create a data home: root key file, database schema, keyring and TLS certificate."""
    clock = clock or SystemClock()
    now = clock.now()
    settings.home.mkdir(mode=0o700, parents=True, exist_ok=True)
    provider = PassphraseFileKeyProvider(
        settings.root_key_path, passphrase, dev_mode=settings.dev_mode
    )
    engine = create_database_engine(settings.database)
    try:
        upgrade_database(engine)
        uow_factory = SqlUnitOfWorkFactory(engine)
        _refuse_initialised(uow_factory)
        root_key = provider.create()
        try:
            with uow_factory() as uow:
                uow.data_keys.add(Keyring.create_initial(root_key, now=now))
                AuditLog(clock).record(uow, [_initialised(actor)])
                uow.commit()
        except BaseException:
            settings.root_key_path.unlink()  # a key file without its keyring would mislead
            raise
    finally:
        engine.dispose()
    if not settings.tls_cert_path.exists():
        create_self_signed_certificate(settings.tls_cert_path, settings.tls_key_path, now=now)
    return InitReport(
        home=str(settings.home),
        database=_redacted(settings.database),
        root_key_path=str(settings.root_key_path),
        tls_cert_path=str(settings.tls_cert_path),
    )


def _refuse_initialised(uow_factory: UnitOfWorkFactory) -> None:
    with uow_factory() as uow:
        if uow.data_keys.all():
            raise ConflictError(
                "this database already has a keyring: it was initialised before; "
                "use a new STRONGROOM_DATABASE_URL or the existing root key file"
            )


def _initialised(actor: Actor) -> AuditDraft:
    return AuditDraft(
        actor=actor.label,
        action=AuditAction.SYSTEM_INITIALISED,
        outcome=Outcome.SUCCESS,
        resource_type="system",
        purpose="administration",
    )


def _redacted(url: str) -> str:
    """The database URL without any password in it, fit for printing."""
    scheme, sep, rest = url.partition("://")
    credentials, at, host = rest.rpartition("@")
    if not at or ":" not in credentials:
        return url
    user = credentials.split(":", 1)[0]
    return f"{scheme}{sep}{user}:***@{host}"
