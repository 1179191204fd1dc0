"""Key rotation without downtime: add a version, move the data over in batches, retire the old.

Every step is idempotent and works on what is still left, so a rotation interrupted by a crash
resumes where it stopped by running it again. Reads, ingest and lookups keep working throughout:
lookups search every active blind-index version, and every version stays readable until retired.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from strongroom.core.clock import Clock
from strongroom.core.custody import RootKey
from strongroom.core.errors import ConflictError, InvalidInputError
from strongroom.core.models import (
    Actor,
    BlindIndexEntry,
    CustomerId,
    Identifier,
    JsonValue,
    SubjectKey,
)
from strongroom.core.ports import AuditTrail, UnitOfWork, UnitOfWorkFactory
from strongroom.core.schema import CUSTOMER_FIELDS
from strongroom.core.trail import AuditAction, AuditDraft, Outcome
from strongroom.vault.blindindex import plan_index_bits
from strongroom.vault.keyring import KeyKind, Keyring
from strongroom.vault.service import SubjectVault

Progress = Callable[[int], None]
SEARCHABLE_FIELDS = tuple(spec.name for spec in CUSTOMER_FIELDS if spec.searchable)
# Kinds whose users this module can count, so it can tell when a version is no longer needed.
RETIRABLE = (KeyKind.FIELD_KEK, KeyKind.BLIND_INDEX, KeyKind.TOKEN)


@dataclass(frozen=True, slots=True)
class Rotation:
    """What a rotation needs: storage, the root key, the vault, the audit trail, a clock."""

    uow_factory: UnitOfWorkFactory
    root_key: RootKey
    vault: SubjectVault
    audit: AuditTrail
    clock: Clock
    actor: Actor

    def add_version(self, kind: KeyKind, *, population: int) -> int:
        """Create the next version of ``kind``; it becomes current for new data at once."""
        now = self.clock.now()
        with self.uow_factory() as uow:
            stored = [key for key in uow.data_keys.all() if key.kind == kind.value]
            version = max((key.version for key in stored), default=0) + 1
            bits = plan_index_bits(population) if kind is KeyKind.BLIND_INDEX else None
            uow.data_keys.add(
                [Keyring.new_version(self.root_key, kind, version, now=now, index_bits=bits)]
            )
            detail: dict[str, str | int] = {"kind": kind.value, "version": version}
            if bits is not None:
                detail["index_bits"] = bits
            self._record(uow, AuditAction.KEY_VERSION_ADDED, detail)
            uow.commit()
        self.vault.refresh_keys()
        return version

    def rewrap_subject_keys(
        self, *, batch_size: int = 1000, progress: Progress | None = None
    ) -> int:
        """Re-wrap every customer key not yet under the current KEK; returns how many."""
        done, start = 0, None
        while True:
            with self.uow_factory() as uow:
                target = self.vault.current_version(KeyKind.FIELD_KEK)
                stale = uow.subject_keys.not_wrapped_by(target, limit=batch_size, start=start)
                if not stale:
                    break
                start = stale[-1].customer_id  # done rows no longer match: start is inclusive
                uow.subject_keys.rewrap([self.vault.rewrap_subject_key(key) for key in stale])
                uow.commit()
            done += len(stale)
            if progress:
                progress(len(stale))
        self._record_summary(AuditAction.KEYS_REWRAPPED, KeyKind.FIELD_KEK, done)
        return done

    def rebuild_blind_indexes(
        self, *, batch_size: int = 1000, progress: Progress | None = None
    ) -> int:
        """Index every searchable field and identifier under the current version; returns rows."""
        version = self.vault.current_version(KeyKind.BLIND_INDEX)
        done = 0
        for step in (*(_field_step(f) for f in SEARCHABLE_FIELDS), _identifier_step):
            start: CustomerId | None = None
            while True:
                count, start = self._in_batch(step, version, batch_size, start)
                if not count:
                    break
                done += count
                if progress:
                    progress(count)
        self._record_summary(AuditAction.INDEXES_REBUILT, KeyKind.BLIND_INDEX, done)
        return done

    def retire(self, kind: KeyKind, version: int) -> None:
        """Destroy a version nothing uses any more; refused while anything still does."""
        if kind not in RETIRABLE:
            raise InvalidInputError(
                f"{kind} keys cannot be retired yet: Strongroom cannot count what they protect"
            )
        with self.uow_factory() as uow:
            _refuse_in_use(uow, self.vault, kind, version)
            if kind is KeyKind.BLIND_INDEX:
                uow.customers.delete_blind_indexes(version)
                uow.identifiers.delete_version(version)
            uow.data_keys.retire(kind.value, version, self.clock.now())
            self._record(
                uow, AuditAction.KEY_VERSION_RETIRED, {"kind": kind.value, "version": version}
            )
            uow.commit()
        self.vault.refresh_keys()

    def _in_batch(
        self, step: _Step, version: int, batch_size: int, start: CustomerId | None
    ) -> tuple[int, CustomerId | None]:
        with self.uow_factory() as uow:
            count, last = step(
                uow, self.vault, _Batch(version, batch_size, start, self.clock.now())
            )
            uow.commit()
        return count, last

    def _record_summary(self, action: AuditAction, kind: KeyKind, count: int) -> None:
        with self.uow_factory() as uow:
            version = self.vault.current_version(kind)
            self._record(uow, action, {"kind": kind.value, "version": version, "records": count})
            uow.commit()

    def _record(self, uow: UnitOfWork, action: AuditAction, detail: dict[str, str | int]) -> None:
        draft = AuditDraft(
            actor=self.actor.label,
            action=action,
            outcome=Outcome.SUCCESS,
            resource_type="key",
            purpose="administration",
            detail=detail,
            origin=self.actor.origin,
        )
        self.audit.record(uow, [draft])


@dataclass(frozen=True, slots=True)
class _Batch:
    version: int
    limit: int
    start: CustomerId | None  # inclusive: rows done in the last batch no longer match
    now: datetime


_Step = Callable[[UnitOfWork, SubjectVault, _Batch], tuple[int, CustomerId | None]]


def _field_step(field: str) -> _Step:
    def step(uow: UnitOfWork, vault: SubjectVault, batch: _Batch) -> tuple[int, CustomerId | None]:
        version = batch.version
        missing = uow.customers.missing_blind_index(
            field, version, limit=batch.limit, start=batch.start
        )
        customers = uow.customers.get_many(missing)
        keys = uow.subject_keys.get_many(missing)
        entries: list[BlindIndexEntry] = []
        for customer_id in missing:
            ciphertext = customers[customer_id].encrypted.get(field)
            value = _decrypted(
                vault, ciphertext, keys.get(customer_id), customer_id=customer_id, field=field
            )
            if isinstance(value, str):
                _, lookup = vault.search_index(field, value, version=version)
                entries.append(BlindIndexEntry(customer_id, field, version, lookup))
        uow.customers.replace_blind_indexes(entries)
        return len(entries), missing[-1] if missing else None

    return step


def _identifier_step(
    uow: UnitOfWork, vault: SubjectVault, batch: _Batch
) -> tuple[int, CustomerId | None]:
    version, now = batch.version, batch.now
    rows = uow.identifiers.missing_version(version, limit=batch.limit, start=batch.start)
    keys = uow.subject_keys.get_many(list({row.customer_id for row in rows}))
    added: list[Identifier] = []
    for row in rows:
        field = f"identifier:{row.kind.value}"
        value = _decrypted(
            vault,
            row.ciphertext,
            keys.get(row.customer_id),
            customer_id=row.customer_id,
            field=field,
        )
        if isinstance(value, str):
            lookup = vault.identifier_lookup(row.kind.value, value, version=version)
            added.append(
                Identifier(row.customer_id, row.kind, version, lookup, row.ciphertext, now)
            )
    uow.identifiers.add(added)
    return len(added), rows[-1].customer_id if rows else None


def _decrypted(
    vault: SubjectVault,
    ciphertext: bytes | None,
    wrapped: SubjectKey | None,
    *,
    customer_id: CustomerId,
    field: str,
) -> JsonValue:
    if ciphertext is None or wrapped is None:
        return None  # erased since it was listed: nothing to index
    subject_key = vault.open_subject_key(wrapped)
    return vault.decrypt(subject_key, customer_id=customer_id, field=field, ciphertext=ciphertext)


def _refuse_in_use(uow: UnitOfWork, vault: SubjectVault, kind: KeyKind, version: int) -> None:
    if version == vault.current_version(kind):
        raise ConflictError(
            f"{kind} version {version} is the current one: rotate first (`strongroom keys rotate`)"
        )
    if kind is KeyKind.TOKEN:
        cards = uow.cards.count_by_key_version().get(version, 0)
        if cards:
            raise ConflictError(
                f"{cards} card numbers are still encrypted under {kind} version {version}; "
                "they cannot be re-encrypted yet, so this version stays"
            )
        return
    if kind is KeyKind.FIELD_KEK:
        in_use = uow.subject_keys.count_by_kek_version().get(version, 0)
        if in_use:
            raise ConflictError(
                f"{in_use} customer keys are still wrapped by {kind} version {version}: "
                "run `strongroom keys rotate --kind field-kek --resume` to finish re-wrapping"
            )
        return
    current = vault.current_version(kind)
    unindexed = any(
        uow.customers.missing_blind_index(field, current, limit=1) for field in SEARCHABLE_FIELDS
    ) or uow.identifiers.missing_version(current, limit=1)
    if unindexed:
        raise ConflictError(
            f"some records are not yet indexed under {kind} version {current}, so version "
            f"{version} still serves their lookups: run `strongroom keys rotate --kind "
            "blind-index --resume` to finish"
        )
