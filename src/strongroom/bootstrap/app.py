"""The running application: `build` opens the root key, database and keyring, wires services."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Engine

from strongroom.access.cards import CardDetokenizer
from strongroom.access.erasure import ErasureService
from strongroom.access.profiles import ProfileReader
from strongroom.adapters.ledger import FileErasureLedger
from strongroom.adapters.sql.engine import create_database_engine
from strongroom.adapters.sql.migrate import upgrade_database
from strongroom.adapters.sql.unit_of_work import SqlUnitOfWorkFactory
from strongroom.audit.checkpointer import AuditCheckpointer
from strongroom.audit.service import AuditLog
from strongroom.bootstrap.audit import build_checkpointer
from strongroom.bootstrap.home import open_keyring, provider_for
from strongroom.bootstrap.monitor import Monitoring, build_monitoring, load_monitor_setup
from strongroom.collect.service import Ingestor
from strongroom.core.clock import Clock, SystemClock
from strongroom.core.custody import RootKey
from strongroom.core.errors import (
    ConfigurationError,
)
from strongroom.core.ports import CheckpointArchive, UnitOfWorkFactory
from strongroom.settings import Settings
from strongroom.vault.service import SubjectVault
from strongroom.vault.tokenization import CardVault


@dataclass
class App:
    """Strongroom's services, wired to their adapters. Close it when done."""

    settings: Settings
    clock: Clock
    uow_factory: UnitOfWorkFactory
    reader: UnitOfWorkFactory  # read-only: long reads that must not hold SQLite's write lock
    audit: AuditLog
    vault: SubjectVault
    ingestor: Ingestor
    profiles: ProfileReader
    cards: CardDetokenizer
    erasure: ErasureService
    checkpoints: AuditCheckpointer
    checkpoint_archive: CheckpointArchive | None  # the directory sink, read back by verify
    monitoring: Monitoring
    root_key: RootKey = field(repr=False)
    _engine: Engine = field(repr=False)

    def close(self) -> None:
        self.monitoring.close()  # finishes pending honeytoken alarms
        self._engine.dispose()


def build(settings: Settings, *, passphrase: str | None, clock: Clock | None = None) -> App:
    """Open the root key, the database and the keyring; fail closed on anything amiss."""
    clock = clock or SystemClock()
    monitor_setup = load_monitor_setup(settings)  # a bad config file stops start-up here, first
    root_key = provider_for(settings, passphrase=passphrase).load()
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
        # The keyring reloads inside other transactions, so it reads without taking the lock.
        reader = SqlUnitOfWorkFactory(engine, read_only=True)
        root_key, keyring = open_keyring(settings, root_key, passphrase, reader)
        vault = SubjectVault(keyring)
        card_vault = CardVault(keyring)
    except BaseException:
        engine.dispose()
        raise
    audit = AuditLog(clock)
    checkpoints, archive = build_checkpointer(
        settings, uow_factory=uow_factory, reader=reader, audit=audit, keys=keyring, clock=clock
    )
    ingestor = Ingestor(
        uow_factory=uow_factory, vault=vault, audit=audit, clock=clock, cards=card_vault
    )
    monitoring = build_monitoring(
        monitor_setup, uow_factory=uow_factory, audit=audit, clock=clock, ingestor=ingestor
    )
    return App(
        settings=settings,
        clock=clock,
        uow_factory=uow_factory,
        reader=reader,
        audit=audit,
        vault=vault,
        ingestor=ingestor,
        profiles=ProfileReader(
            uow_factory=uow_factory, vault=vault, audit=audit, watch=monitoring.alarm
        ),
        cards=CardDetokenizer(
            uow_factory=uow_factory, cards=card_vault, audit=audit, watch=monitoring.alarm
        ),
        erasure=ErasureService(
            uow_factory, keyring, audit, FileErasureLedger(settings.erasure_ledger_path), clock
        ),
        checkpoints=checkpoints,
        checkpoint_archive=archive,
        monitoring=monitoring,
        root_key=root_key,
        _engine=engine,
    )
