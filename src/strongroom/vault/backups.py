"""Encrypted backups of the operational store: create, verify, and restore with erasures kept.

A restore is careful in this order: the whole backup is authenticated while it is staged, the
erasure ledgers are read and every receipt checked before anything changes, and the staged copy
has every ledgered erasure applied again before it becomes the database. So a customer erased
after the backup was taken stays erased, and a damaged backup or ledger changes nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import BinaryIO

from strongroom.core.clock import Clock
from strongroom.core.custody import DatabaseSnapshots, ErasureLedger, ProgressCallback, RootKey
from strongroom.core.errors import ConflictError, InvalidInputError, VaultError
from strongroom.core.models import Actor
from strongroom.core.ports import AuditTrail, UnitOfWorkFactory
from strongroom.core.trail import AuditAction, AuditDraft, Outcome
from strongroom.vault.backupformat import (
    BackupHeader,
    read_chunks,
    read_header,
    unwrap_data_key,
    wrap_data_key,
    write_backup,
)
from strongroom.vault.envelope import new_key
from strongroom.vault.keyring import KeyKind, data_key_context
from strongroom.vault.receipts import (
    ErasureReceipt,
    SigningKeys,
    audit_signing_public_keys,
    check_receipt,
    parse_receipt,
)
from strongroom.vault.shredding import Shredder

# Opens a staged database by URL: its units of work and its keyring, for the restore to finish.
StoreOpener = Callable[[str], AbstractContextManager[tuple[UnitOfWorkFactory, SigningKeys]]]


@dataclass(frozen=True, slots=True)
class BackupReport:
    backup_id: str
    database: str
    created_at: datetime
    root_key_id: str
    backup_key_version: int
    plaintext_bytes: int


@dataclass(frozen=True, slots=True)
class RestoreReport:
    backup: BackupReport
    receipts: int  # distinct erasures read from the ledgers
    reapplied: int  # customers the backup still held who were erased since, erased again
    already_erased: int


def create_backup(
    *,
    uow_factory: UnitOfWorkFactory,
    keys: SigningKeys,
    root_key: RootKey,
    snapshots: DatabaseSnapshots,
    sink: BinaryIO,
    audit: AuditTrail,
    actor: Actor,
    clock: Clock,
    progress: ProgressCallback,
) -> BackupReport:
    """Snapshot the database consistently and write it to ``sink``, encrypted and authenticated."""
    version, backup_key = keys.current(KeyKind.BACKUP)
    with uow_factory() as uow:
        stored = {(k.kind, k.version): k for k in uow.data_keys.all()}
    wrapped = stored.get((KeyKind.BACKUP.value, version))
    if wrapped is None or not wrapped.wrapped:
        raise VaultError(f"backup key version {version} is not stored: the keyring is damaged")
    backup_id, data_key = str(uuid.uuid4()), new_key()
    header = BackupHeader(
        backup_id=backup_id,
        created_at=clock.now(),
        database=snapshots.kind,
        root_key_id=root_key.key_id,
        backup_key_version=version,
        wrapped_backup_key=wrapped.wrapped,
        wrapped_data_key=wrap_data_key(backup_key, data_key, backup_id=backup_id),
        audit_signing_keys=audit_signing_public_keys(keys),
    )
    with snapshots.snapshot(progress) as snapshot:
        size = _size(snapshot)
        write_backup(
            snapshot, sink, header=header, data_key=data_key, done=_stage(progress, "encrypt", size)
        )
    report = _report(header, size)
    with uow_factory() as uow:
        audit.record(uow, [_backup_draft(actor, AuditAction.BACKUP_CREATED, report)])
        uow.commit()
    return report


def verify_backup(
    *, root_key: RootKey, source: BinaryIO, progress: ProgressCallback
) -> BackupReport:
    """Decrypt and authenticate every chunk, keeping nothing; DecryptionError names the chunk."""
    header, header_bytes, data_key = open_backup(root_key, source)
    size = _read_all(
        source,
        None,
        header=header,
        header_bytes=header_bytes,
        data_key=data_key,
        progress=progress,
        stage="verify",
    )
    return _report(header, size)


def open_backup(root_key: RootKey, source: BinaryIO) -> tuple[BackupHeader, bytes, bytes]:
    """Read the header and unwrap the backup's data key with ``root_key``."""
    header, header_bytes = read_header(source)
    context = data_key_context(KeyKind.BACKUP, header.backup_key_version)
    try:
        backup_key = root_key.unwrap(header.wrapped_backup_key, context=context)
    except VaultError:
        raise VaultError(
            f"backup {header.backup_id} was made under root key {header.root_key_id}, and this "
            f"data home's root key is {root_key.key_id}: copy the root key file of the data home "
            "the backup came from (and use its passphrase)"
        ) from None
    return header, header_bytes, unwrap_data_key(backup_key, header)


def restore_backup(
    *,
    root_key: RootKey,
    source: BinaryIO,
    snapshots: DatabaseSnapshots,
    home_ledger: ErasureLedger,
    extra_ledgers: Sequence[ErasureLedger],
    force: bool,
    open_store: StoreOpener,
    audit: AuditTrail,
    actor: Actor,
    clock: Clock,
    progress: ProgressCallback,
) -> RestoreReport:
    """Restore a backup into this data home's database, re-applying every ledgered erasure."""
    header, header_bytes, data_key = open_backup(root_key, source)
    home, extra = _checked_before_restore(
        header, snapshots, home_ledger, extra_ledgers, force=force
    )
    restoration = _Restoration(
        source,
        header,
        header_bytes,
        data_key,
        home,
        extra,
        home_ledger,
        open_store,
        audit,
        actor,
        clock,
        progress,
    )
    snapshots.restore(restoration.write, restoration.prepare, progress=progress)
    if restoration.report is None:
        raise VaultError("the restore finished without preparing the database; report this bug")
    return restoration.report


def _checked_before_restore(
    header: BackupHeader,
    snapshots: DatabaseSnapshots,
    home_ledger: ErasureLedger,
    extra_ledgers: Sequence[ErasureLedger],
    *,
    force: bool,
) -> tuple[list[ErasureReceipt], list[ErasureReceipt]]:
    """Refuse what would make the restore wrong, before anything changes; the ledgers' receipts."""
    if header.database != snapshots.kind:
        raise InvalidInputError(
            f"backup {header.backup_id} is of a {header.database} database and this data home's "
            f"is {snapshots.kind}: set STRONGROOM_DATABASE_URL to a {header.database} database"
        )
    home = read_ledger(home_ledger, header.audit_signing_keys)
    extra = [r for ledger in extra_ledgers for r in read_ledger(ledger, header.audit_signing_keys)]
    if not force and snapshots.has_data():
        raise ConflictError(
            "this data home's database already holds data: restore into a new data home or a new "
            "STRONGROOM_DATABASE_URL, or add --force to replace everything in it"
        )
    return home, extra


@dataclass(slots=True)
class _Restoration:
    """The two steps of a restore the snapshot adapter calls: stage the copy, then finish it."""

    source: BinaryIO
    header: BackupHeader
    header_bytes: bytes
    data_key: bytes
    home: list[ErasureReceipt]
    extra: list[ErasureReceipt]
    home_ledger: ErasureLedger
    open_store: StoreOpener
    audit: AuditTrail
    actor: Actor
    clock: Clock
    progress: ProgressCallback
    plaintext_bytes: int = 0
    report: RestoreReport | None = None

    def write(self, staged: BinaryIO) -> None:
        self.plaintext_bytes = _read_all(
            self.source,
            staged,
            header=self.header,
            header_bytes=self.header_bytes,
            data_key=self.data_key,
            progress=self.progress,
            stage="decrypt",
        )

    def prepare(self, url: str) -> None:
        receipts = _distinct([*self.home, *self.extra])
        with self.open_store(url) as (uow_factory, keys), uow_factory() as uow:
            shredder = Shredder(keys, self.audit)
            done = shredder.reapply(uow, receipts, actor=self.actor, now=self.clock.now())
            report = RestoreReport(
                _report(self.header, self.plaintext_bytes),
                done.receipts,
                done.reapplied,
                done.already_erased,
            )
            self.audit.record(uow, [_restored_draft(self.actor, report)])
            known = {receipt.customer_pseudonym for receipt in self.home}
            for receipt in _distinct(self.extra):
                if receipt.customer_pseudonym not in known:
                    self.home_ledger.append(receipt.to_json())  # the next restore knows them too
            uow.commit()
        self.report = report


def read_ledger(ledger: ErasureLedger, trusted_keys: dict[int, bytes]) -> list[ErasureReceipt]:
    """Every receipt of ``ledger``, each checked against the backup's audit-signing keys."""
    receipts = []
    for number, line in ledger.receipts():
        where = f"line {number} of the erasure ledger {ledger.location}"
        try:
            receipt = parse_receipt(line)
        except InvalidInputError as error:
            raise InvalidInputError(f"{where}: {error.message}; nothing was restored") from None
        check = check_receipt(receipt, trusted_keys=trusted_keys)
        if not check.ok:
            raise InvalidInputError(f"{where}: {'; '.join(check.problems)}; nothing was restored")
        receipts.append(receipt)
    return receipts


def _distinct(receipts: Sequence[ErasureReceipt]) -> list[ErasureReceipt]:
    # The first receipt of a customer wins: it records when they were erased.
    first: dict[str, ErasureReceipt] = {}
    for receipt in receipts:
        first.setdefault(receipt.customer_pseudonym, receipt)
    return list(first.values())


def _read_all(
    source: BinaryIO,
    sink: BinaryIO | None,
    *,
    header: BackupHeader,
    header_bytes: bytes,
    data_key: bytes,
    progress: ProgressCallback,
    stage: str,
) -> int:
    # The bar counts plaintext against the ciphertext left to read: close enough, and cheap.
    start = source.tell()
    remaining = _size(source) - start
    source.seek(start)
    size = read_chunks(
        source,
        sink,
        header=header,
        header_bytes=header_bytes,
        data_key=data_key,
        done=_stage(progress, stage, remaining),
    )
    progress(stage, remaining, remaining)
    return size


def _size(stream: BinaryIO) -> int:
    size = stream.seek(0, 2)
    stream.seek(0)
    return size


def _stage(progress: ProgressCallback, name: str, total: int | None) -> Callable[[int], None]:
    def done(count: int) -> None:
        progress(name, count, total)

    return done


def _report(header: BackupHeader, size: int) -> BackupReport:
    return BackupReport(
        backup_id=header.backup_id,
        database=header.database,
        created_at=header.created_at,
        root_key_id=header.root_key_id,
        backup_key_version=header.backup_key_version,
        plaintext_bytes=size,
    )


def _backup_draft(actor: Actor, action: AuditAction, report: BackupReport) -> AuditDraft:
    return AuditDraft(
        actor=actor.label,
        action=action,
        outcome=Outcome.SUCCESS,
        resource_type="backup",
        resource_ids=(report.backup_id,),
        purpose="administration",
        detail={"database": report.database, "bytes": report.plaintext_bytes},
        origin=actor.origin,
    )


def _restored_draft(actor: Actor, report: RestoreReport) -> AuditDraft:
    draft = _backup_draft(actor, AuditAction.BACKUP_RESTORED, report.backup)
    detail: dict[str, str | int] = {
        **draft.detail,
        "backup_created_at": report.backup.created_at.isoformat(),
        "erasures_reapplied": report.reapplied,
    }
    return AuditDraft(
        actor=draft.actor,
        action=draft.action,
        outcome=draft.outcome,
        resource_type=draft.resource_type,
        resource_ids=draft.resource_ids,
        purpose=draft.purpose,
        detail=detail,
        origin=draft.origin,
    )
