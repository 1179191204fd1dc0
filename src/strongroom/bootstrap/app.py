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
from strongroom.bootstrap.analytics import Analytics, build_analytics
from strongroom.bootstrap.audit import build_checkpointer
from strongroom.bootstrap.home import open_keyring, provider_for
from strongroom.bootstrap.identity import build_identity, identity_policy
from strongroom.bootstrap.intake import Intake, build_intake
from strongroom.bootstrap.lake import LakeServices, build_lake
from strongroom.bootstrap.machines import Machines, build_machines
from strongroom.bootstrap.monitor import Monitoring, build_monitoring, load_monitor_setup
from strongroom.bootstrap.policy import PolicyServices, build_policy
from strongroom.bootstrap.privacy import Privacy, build_privacy
from strongroom.bootstrap.respond import Respond, build_incidents, build_respond
from strongroom.bootstrap.staff import StaffAccess, build_staff
from strongroom.collect.gate import SourceGate
from strongroom.collect.merges import IdentityService
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
    gate: SourceGate  # who may send tracking calls: write keys, origins, limits, signatures
    profiles: ProfileReader
    cards: CardDetokenizer
    erasure: ErasureService
    identity: IdentityService  # merges, unmerges and the review queue
    checkpoints: AuditCheckpointer
    checkpoint_archive: CheckpointArchive | None  # the directory sink, read back by verify
    monitoring: Monitoring
    intake: Intake  # the one file intake pipeline, the quarantine, customers' documents
    privacy: Privacy  # consent ledger, data-subject requests, legal holds, retention
    respond: Respond  # incidents, playbooks, blast radius
    lake: LakeServices  # the lake export and the warehouse build
    analytics: Analytics  # RFM, CLV, cohorts, churn, affinity, funnel; files and charts
    staff: StaffAccess  # staff accounts, login (password, TOTP, WebAuthn), sessions
    machines: Machines  # service keys, vendor keys, third-party apps and their grants
    policy: PolicyServices  # training records, four-eyes approvals, policy changes, reveals
    root_key: RootKey = field(repr=False)
    _engine: Engine = field(repr=False)

    def close(self) -> None:
        self.monitoring.close()  # finishes pending honeytoken alarms
        self._engine.dispose()


def build(settings: Settings, *, passphrase: str | None, clock: Clock | None = None) -> App:
    """Open the root key, the database and the keyring; fail closed on anything amiss."""
    clock = clock or SystemClock()
    monitor_setup = load_monitor_setup(settings)  # a bad config file stops start-up here, first
    policy = identity_policy(settings)  # so does a malformed identity setting
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
        uow_factory=uow_factory,
        vault=vault,
        audit=audit,
        clock=clock,
        cards=card_vault,
        identity=policy,
    )
    incidents = build_incidents(uow_factory=uow_factory, audit=audit, clock=clock)
    monitoring = build_monitoring(
        monitor_setup,
        uow_factory=uow_factory,
        audit=audit,
        clock=clock,
        ingestor=ingestor,
        incidents=incidents,
    )
    erasure = ErasureService(
        uow_factory, keyring, audit, FileErasureLedger(settings.erasure_ledger_path), clock
    )
    return App(
        settings=settings,
        clock=clock,
        uow_factory=uow_factory,
        reader=reader,
        audit=audit,
        vault=vault,
        ingestor=ingestor,
        gate=SourceGate(uow_factory=uow_factory, audit=audit, clock=clock, keys=keyring),
        profiles=ProfileReader(
            uow_factory=uow_factory, vault=vault, audit=audit, watch=monitoring.alarm, clock=clock
        ),
        cards=CardDetokenizer(
            uow_factory=uow_factory,
            cards=card_vault,
            audit=audit,
            watch=monitoring.alarm,
            clock=clock,
        ),
        erasure=erasure,
        identity=build_identity(uow_factory, audit, clock),
        checkpoints=checkpoints,
        checkpoint_archive=archive,
        monitoring=monitoring,
        intake=build_intake(
            settings,
            uow_factory=uow_factory,
            audit=audit,
            clock=clock,
            keys=keyring,
            vault=vault,
            alerts=monitoring.alerts,
        ),
        privacy=build_privacy(
            settings,
            uow_factory=uow_factory,
            reader=reader,
            vault=vault,
            audit=audit,
            clock=clock,
            erasure=erasure,
        ),
        lake=build_lake(
            settings, uow_factory=uow_factory, reader=reader, audit=audit, keys=keyring, clock=clock
        ),
        staff=build_staff(
            settings, uow_factory=uow_factory, audit=audit, clock=clock, keys=keyring
        ),
        analytics=build_analytics(
            settings, uow_factory=uow_factory, audit=audit, keys=keyring, clock=clock
        ),
        machines=build_machines(uow_factory=uow_factory, audit=audit, clock=clock, vault=vault),
        policy=build_policy(
            settings, uow_factory=uow_factory, audit=audit, clock=clock, vault=vault
        ),
        respond=build_respond(
            settings,
            incidents=incidents,
            uow_factory=uow_factory,
            reader=reader,
            audit=audit,
            clock=clock,
            vault=vault,
            root_key=root_key,
            checkpoints=checkpoints,
        ),
        root_key=root_key,
        _engine=engine,
    )
