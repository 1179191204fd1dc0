"""Use cases of the audit log: append inside the caller's transaction, and verify."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import takewhile

from strongroom.audit.chain import extend, verify_chain
from strongroom.core.clock import Clock
from strongroom.core.ports import UnitOfWork, UnitOfWorkFactory
from strongroom.core.trail import AuditDraft


class AuditLog:
    """The audit trail every capability writes to (implements core.ports.AuditTrail)."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    def record(self, uow: UnitOfWork, drafts: Sequence[AuditDraft]) -> None:
        """Append ``drafts`` in the caller's transaction: they commit with the act or not at all."""
        if not drafts:
            return
        head = uow.audit.lock_head()
        uow.audit.append(extend(head, self._clock.now(), drafts))


@dataclass(frozen=True, slots=True)
class VerificationReport:
    entries_checked: int
    head_seq: int
    head_hash_hex: str


def verify_audit_log(*, uow_factory: UnitOfWorkFactory) -> VerificationReport:
    """Recompute the whole chain; raise AuditIntegrityError at the first broken entry."""
    with uow_factory() as uow:
        head = uow.audit.head()
        # Entries appended while we read lie beyond the head we took; the next run checks them.
        entries = takewhile(lambda entry: entry.seq <= head.seq, uow.audit.scan())
        checked = verify_chain(entries, head)
    return VerificationReport(checked, head.seq, head.entry_hash.hex())
