"""Quarantine: refused files kept sealed, never parsed; listed, released and purged by security.

Each file is sealed under a fresh key of its own, wrapped by the field key-encryption key and
kept in its record: purging the record shreds the file even if a copy of the directory
survives. Quarantining is audited and raises an alert; so is every act of the security team.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from strongroom.access.gate import authorise
from strongroom.access.permissions import Permission
from strongroom.collect.intake.files import read_chunks, sha256_of
from strongroom.collect.intake.policy import safe_name
from strongroom.core.clock import Clock
from strongroom.core.errors import InvalidInputError, NotFoundError
from strongroom.core.intake import (
    IntakeChannel,
    QuarantineAlarm,
    QuarantinedFile,
    QuarantineStatus,
    SealedFileStore,
)
from strongroom.core.models import Actor, CustomerId
from strongroom.core.ports import AuditTrail, UnitOfWork, UnitOfWorkFactory
from strongroom.core.reasons import checked_reason as checked_text
from strongroom.core.trail import AuditAction, AuditDraft, Outcome
from strongroom.vault.documents import QUARANTINE, QuarantineKeys, open_chunks, seal_chunks

MAX_REASON_CHARS = 500
_RESOURCE = "quarantined_file"


@dataclass(frozen=True, slots=True)
class Suspect:
    """A refused file to quarantine, as received."""

    path: Path
    name: str
    channel: IntakeChannel
    customer_id: CustomerId | None = None


class QuarantineService:
    """Seals refused files away and lets the security role review and remove them."""

    def __init__(
        self,
        *,
        uow_factory: UnitOfWorkFactory,
        audit: AuditTrail,
        clock: Clock,
        keys: QuarantineKeys,
        store: SealedFileStore,
        alarm: QuarantineAlarm | None = None,
    ) -> None:
        self._uow_factory, self._audit, self._clock = uow_factory, audit, clock
        self._keys, self._store, self._alarm = keys, store, alarm

    def quarantine(
        self, suspect: Suspect, *, reason: str, detector: str, signature: str, actor: Actor
    ) -> QuarantinedFile:
        """Seal the file in quarantine, record it (audited), alert the monitor."""
        item_id = str(uuid.uuid4())
        key, wrapped, kek_version = self._keys.new_key(item_id)
        item = QuarantinedFile(
            id=item_id,
            channel=suspect.channel,
            reason=reason,
            detector=detector,
            signature=signature[:200],
            sha256=sha256_of(suspect.path),
            size=suspect.path.stat().st_size,
            original_name=safe_name(suspect.name),
            wrapped_key=wrapped,
            kek_version=kek_version,
            quarantined_at=self._clock.now(),
            quarantined_by=actor.label,
            customer_id=suspect.customer_id,
        )
        chunks = read_chunks(suspect.path)
        self._store.write(
            item_id, seal_chunks(key, purpose=QUARANTINE, file_id=item_id, chunks=chunks)
        )
        try:
            with self._uow_factory() as uow:
                uow.quarantine.add([item])
                self._audit.record(uow, [_quarantined_draft(actor, item)])
                uow.commit()
        except BaseException:
            self._store.delete(item_id)
            raise
        if self._alarm is not None:
            self._alarm.file_quarantined(item)
        return item

    def list_items(self, *, actor: Actor, limit: int = 100) -> list[QuarantinedFile]:
        """The newest quarantined files; needs ``quarantine.read``; audited."""
        purpose = self._authorise(actor, Permission.QUARANTINE_READ)
        with self._uow_factory() as uow:
            items = uow.quarantine.list(limit=limit)
            draft = _draft(actor, AuditAction.QUARANTINE_LISTED, purpose, (), {"count": len(items)})
            self._audit.record(uow, [draft])
            uow.commit()
        return items

    def release(
        self,
        *,
        actor: Actor,
        item_id: str,
        reason: str,
        deliver: Callable[[Iterator[bytes]], None],
    ) -> QuarantinedFile:
        """Hand the decrypted file to ``deliver``; needs ``quarantine.release`` and a reason."""
        reason = checked_reason(reason)
        purpose = self._authorise(actor, Permission.QUARANTINE_RELEASE)
        with self._uow_factory() as uow:
            item = self._get(uow, item_id)
            key = self._keys.open_key(item.id, item.wrapped_key, item.kek_version)
            with self._store.open(item.id) as sealed:
                deliver(open_chunks(key, purpose=QUARANTINE, file_id=item.id, sealed=sealed))
            released = replace(
                item,
                status=QuarantineStatus.RELEASED,
                handled_by=actor.label,
                handled_at=self._clock.now(),
                handled_reason=reason,
            )
            uow.quarantine.update(released)
            detail: dict[str, str | int] = {"reason": reason, "sha256": item.sha256}
            draft = _draft(actor, AuditAction.QUARANTINE_RELEASED, purpose, (item.id,), detail)
            self._audit.record(uow, [draft])
            uow.commit()
        return released

    def purge(
        self, *, actor: Actor, item_ids: list[str] | None = None, before: datetime | None = None
    ) -> list[str]:
        """Delete the named files, or every one quarantined before ``before``; audited."""
        if (item_ids is None) == (before is None):
            raise InvalidInputError("purge either named quarantined files or those before a date")
        purpose = self._authorise(actor, Permission.QUARANTINE_PURGE)
        with self._uow_factory() as uow:
            if item_ids is not None:
                items = [self._get(uow, item_id) for item_id in item_ids]
            else:
                assert before is not None
                items = uow.quarantine.quarantined_before(before)
            ids = [item.id for item in items]
            uow.quarantine.delete(ids)
            detail: dict[str, str | int] = {"count": len(ids)}
            self._audit.record(
                uow, [_draft(actor, AuditAction.QUARANTINE_PURGED, purpose, tuple(ids), detail)]
            )
            uow.commit()
        for item_id in ids:  # after the commit: the keys are gone, so the files are noise already
            self._store.delete(item_id)
        return ids

    def _get(self, uow: UnitOfWork, item_id: str) -> QuarantinedFile:
        item = uow.quarantine.get(item_id)
        if item is None:
            raise NotFoundError(
                f"no quarantined file with id {item_id!r}; `strongroom quarantine list` shows them"
            )
        return item

    def _authorise(self, actor: Actor, permission: Permission) -> str:
        return authorise(
            uow_factory=self._uow_factory,
            audit=self._audit,
            actor=actor,
            permission=permission,
            purpose=None,
            resource_type=_RESOURCE,
        )


def checked_reason(reason: str) -> str:
    """The stated reason, trimmed; refuses an empty, overlong or control-character one."""
    missing = "releasing a quarantined file needs a reason, e.g. a case number"
    return checked_text(reason, missing=missing, limit=MAX_REASON_CHARS)


def _quarantined_draft(actor: Actor, item: QuarantinedFile) -> AuditDraft:
    detail: dict[str, str | int] = {
        "channel": item.channel.value,
        "reason": item.reason,
        "detector": item.detector,
        "signature": item.signature,
        "sha256": item.sha256,
        "size": item.size,
    }
    return AuditDraft(
        actor=actor.label,
        action=AuditAction.FILE_QUARANTINED,
        outcome=Outcome.DENIED,
        resource_type=_RESOURCE,
        resource_ids=(item.id,),
        purpose="security",
        detail=detail,
        origin=actor.origin,
    )


def _draft(
    actor: Actor,
    action: AuditAction,
    purpose: str,
    ids: tuple[str, ...],
    detail: dict[str, str | int],
) -> AuditDraft:
    return AuditDraft(
        actor=actor.label,
        action=action,
        outcome=Outcome.SUCCESS,
        resource_type=_RESOURCE,
        resource_ids=ids,
        purpose=purpose,
        detail=detail,
        origin=actor.origin,
    )
