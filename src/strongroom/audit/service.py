"""Use cases of the audit log: append inside the caller's transaction, and verify (audited)."""

from __future__ import annotations

from collections.abc import Sequence

from strongroom.audit.chain import extend
from strongroom.audit.verification import VerificationReport, verify_audit_log
from strongroom.core.clock import Clock
from strongroom.core.errors import AuditIntegrityError
from strongroom.core.models import Actor
from strongroom.core.ports import CheckpointArchive, UnitOfWork, UnitOfWorkFactory
from strongroom.core.trail import AuditAction, AuditDraft, Outcome
from strongroom.vault.receipts import SigningKeys

__all__ = ["AuditLog", "VerificationReport", "verify_and_record", "verify_audit_log"]


class AuditLog:
    """The audit trail every capability writes to (implements core.ports.AuditTrail)."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    def record(self, uow: UnitOfWork, drafts: Sequence[AuditDraft]) -> None:
        """Append ``drafts`` in the caller's transaction: they commit with the act or not at all.

        One lock of the head and one batched insert, however many drafts.
        """
        if not drafts:
            return
        head = uow.audit.lock_head()
        uow.audit.append(extend(head, self._clock.now(), drafts))


def verify_and_record(
    *,
    uow_factory: UnitOfWorkFactory,
    audit: AuditLog,
    actor: Actor,
    keys: SigningKeys | None = None,
    archive: CheckpointArchive | None = None,
    reader: UnitOfWorkFactory | None = None,
) -> VerificationReport:
    """Verify the whole log and its checkpoints, and record that it was read (and the verdict).

    ``reader``: read-only units of work for the long read (default ``uow_factory``).
    """
    try:
        report = verify_audit_log(uow_factory=reader or uow_factory, keys=keys, archive=archive)
    except AuditIntegrityError as error:
        detail: dict[str, str | int] = {"verdict": "failed"}
        if error.seq is not None:
            detail["first_bad_seq"] = error.seq
        if error.checkpoint is not None:
            detail["checkpoint"] = error.checkpoint
        _record(uow_factory, audit, _verified(actor, Outcome.FAILED, detail))
        raise
    detail = {"verdict": "intact", "entries_checked": report.entries_checked}
    _record(uow_factory, audit, _verified(actor, Outcome.SUCCESS, detail))
    return report


def _record(uow_factory: UnitOfWorkFactory, audit: AuditLog, draft: AuditDraft) -> None:
    with uow_factory() as uow:
        audit.record(uow, [draft])
        uow.commit()


def _verified(actor: Actor, outcome: Outcome, detail: dict[str, str | int]) -> AuditDraft:
    return AuditDraft(
        actor=actor.label,
        action=AuditAction.AUDIT_VERIFIED,
        outcome=outcome,
        resource_type="audit_log",
        purpose="administration",
        detail=detail,
        origin=actor.origin,
    )
