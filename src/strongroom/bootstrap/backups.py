"""Encrypted backups of a data home: create, verify and restore."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from strongroom.adapters.ledger import FileErasureLedger
from strongroom.adapters.snapshots import new_private_file, snapshots_for
from strongroom.adapters.sql.engine import create_database_engine
from strongroom.adapters.sql.migrate import upgrade_database
from strongroom.adapters.sql.unit_of_work import SqlUnitOfWorkFactory
from strongroom.adapters.tls import create_self_signed_certificate
from strongroom.audit.service import AuditLog
from strongroom.bootstrap.app import App
from strongroom.bootstrap.home import provider_for
from strongroom.core.clock import SystemClock
from strongroom.core.custody import ProgressCallback, RootKey
from strongroom.core.errors import (
    ConfigurationError,
)
from strongroom.core.models import Actor
from strongroom.core.ports import UnitOfWorkFactory
from strongroom.settings import Settings
from strongroom.vault.backups import (
    BackupReport,
    RestoreReport,
    create_backup,
    restore_backup,
    verify_backup,
)
from strongroom.vault.keyring import Keyring


def create_backup_file(
    app: App, *, out: Path, actor: Actor, progress: ProgressCallback
) -> BackupReport:
    """Write an encrypted backup of the app's database to ``out``, a new owner-only file."""
    snapshots = snapshots_for(app.settings.database, workdir=app.settings.home)
    with new_private_file(out) as sink:
        return create_backup(
            uow_factory=app.uow_factory,
            keys=app.erasure.keys,
            root_key=app.root_key,
            snapshots=snapshots,
            sink=sink,
            audit=app.audit,
            actor=actor,
            clock=app.clock,
            progress=progress,
        )


def verify_backup_file(
    settings: Settings, *, passphrase: str | None, path: Path, progress: ProgressCallback
) -> BackupReport:
    """Authenticate every chunk of a backup with this data home's root key; writes nothing."""
    root_key = provider_for(settings, passphrase=passphrase).load()
    with path.open("rb") as source:
        return verify_backup(root_key=root_key, source=source, progress=progress)


def restore_backup_file(
    settings: Settings,
    *,
    passphrase: str | None,
    path: Path,
    force: bool,
    erasure_files: Sequence[Path],
    actor: Actor,
    progress: ProgressCallback,
) -> RestoreReport:
    """Restore a backup into this data home, erasing again everyone its ledgers name."""
    if settings.key_provider == "file" and not settings.root_key_path.exists():
        raise ConfigurationError(
            f"no root key file at {settings.root_key_path}: a backup opens only with the root key "
            "of the data home it came from; copy that root.key here (mode 0600) and use its "
            "passphrase"
        )
    root_key = provider_for(settings, passphrase=passphrase).load()
    clock = SystemClock()
    with path.open("rb") as source:
        report = restore_backup(
            root_key=root_key,
            source=source,
            snapshots=snapshots_for(settings.database, workdir=settings.home),
            home_ledger=FileErasureLedger(settings.erasure_ledger_path),
            extra_ledgers=[FileErasureLedger(file) for file in erasure_files],
            force=force,
            open_store=lambda url: _staged_store(url, root_key),
            audit=AuditLog(clock),
            actor=actor,
            clock=clock,
            progress=progress,
        )
    if not settings.tls_cert_path.exists():
        now = clock.now()
        create_self_signed_certificate(settings.tls_cert_path, settings.tls_key_path, now=now)
    return report


@contextmanager
def _staged_store(url: str, root_key: RootKey) -> Iterator[tuple[UnitOfWorkFactory, Keyring]]:
    """A restored database before it goes live: migrated, with its keyring open."""
    engine = create_database_engine(url)
    try:
        upgrade_database(engine)
        uow_factory = SqlUnitOfWorkFactory(engine)
        with uow_factory() as uow:
            wrapped = uow.data_keys.all()
        yield uow_factory, Keyring.open(root_key, wrapped)
    finally:
        engine.dispose()
