"""Erasing a customer at a staff member's request: policy first, then crypto-shredding.

The erasure, its record and its audit entry commit together. Its signed receipt is appended to
the erasure ledger outside the database before that commit, so no erasure that took effect can be
missing from the ledger a restore re-applies; at worst the ledger holds a receipt for an erasure
whose commit then failed, which a restore carries out as was intended.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from strongroom.access.gate import authorise
from strongroom.access.holds import refuse_under_hold
from strongroom.access.permissions import Permission
from strongroom.core.clock import Clock
from strongroom.core.custody import ErasureLedger
from strongroom.core.models import Actor, CustomerId
from strongroom.core.ports import AuditTrail, UnitOfWork, UnitOfWorkFactory
from strongroom.core.reasons import checked_reason as checked_text
from strongroom.vault.receipts import ErasureReceipt, SigningKeys, audit_signing_public_keys
from strongroom.vault.shredding import Shredder

MAX_REASON_CHARS = 500
BULK_BATCH = 200
Progress = Callable[[str, int, int | None], None]


@dataclass(frozen=True, slots=True)
class ErasureService:
    """Erasures by staff, and the data home's keys for checking their receipts."""

    uow_factory: UnitOfWorkFactory
    keys: SigningKeys
    audit: AuditTrail
    ledger: ErasureLedger
    clock: Clock

    def erase_customer(
        self, *, actor: Actor, customer_id: CustomerId, reason: str, purpose: str | None = None
    ) -> ErasureReceipt:
        """Destroy the customer's data key and lookups; returns the signed receipt."""
        reason = checked_reason(reason)
        stated = self._authorise(actor, purpose)
        shredder = Shredder(self.keys, self.audit)
        with self.uow_factory() as uow:
            refuse_under_hold(uow, customer_id, act="erasure")
            receipts = shredder.erase_person(  # with every customer merged with them
                uow,
                actor=actor,
                customer_id=customer_id,
                reason=reason,
                purpose=stated,
                now=self.clock.now(),
            )
            self.ledger.append_many([receipt.to_json() for receipt in receipts])
            uow.commit()
        return receipts[0]

    def erase_customers(
        self,
        *,
        actor: Actor,
        customer_ids: Sequence[CustomerId],
        reason: str,
        purpose: str | None = None,
        batch_size: int = BULK_BATCH,
        progress: Progress | None = None,
    ) -> BulkErasure:
        """Erase many customers, a batch per transaction and one ledger write per batch.

        Customers who are unknown, erased already or under a legal hold are skipped and counted;
        the others are erased with their merged cluster and get a receipt each, as one by one.
        """
        reason = checked_reason(reason)
        stated = self._authorise(actor, purpose)
        shredder = Shredder(self.keys, self.audit)
        report = BulkErasure()
        ids = list(dict.fromkeys(customer_ids))
        for start in range(0, len(ids), batch_size):
            batch = ids[start : start + batch_size]
            with self.uow_factory() as uow:
                eligible = _eligible(uow, batch, report)
                receipts = shredder.erase_many(
                    uow,
                    actor=actor,
                    customer_ids=eligible,
                    reason=reason,
                    purpose=stated,
                    now=self.clock.now(),
                )
                self.ledger.append_many([receipt.to_json() for receipt in receipts])
                uow.commit()
            report.erased += len(eligible)
            report.receipts += len(receipts)
            if progress is not None:
                progress("erase", start + len(batch), len(ids))
        return report

    def home_signing_keys(self) -> dict[int, bytes]:
        """This data home's audit-signing public keys by version, to check receipts against."""
        return audit_signing_public_keys(self.keys)

    def _authorise(self, actor: Actor, purpose: str | None) -> str:
        return authorise(
            uow_factory=self.uow_factory,
            audit=self.audit,
            actor=actor,
            permission=Permission.CUSTOMERS_ERASE,
            purpose=purpose,
        )


@dataclass(slots=True)
class BulkErasure:
    """What a bulk erasure did: counts only, no ids (the receipts in the ledger name them)."""

    erased: int = 0
    receipts: int = 0  # more than ``erased`` where merged customers were erased with them
    unknown: int = 0
    already_erased: int = 0
    held: int = 0


def _eligible(
    uow: UnitOfWork, batch: Sequence[CustomerId], report: BulkErasure
) -> list[CustomerId]:
    """The customers of ``batch`` that can be erased now; the others counted by why not."""
    known = uow.customers.get_many(batch)
    keyed = uow.subject_keys.get_many([cid for cid in batch if cid in known])
    held = {hold.customer_id for hold in uow.legal_holds.active_for(list(keyed))}
    report.unknown += sum(1 for cid in batch if cid not in known)
    report.already_erased += sum(1 for cid in known if cid not in keyed)
    report.held += len(held)
    return [cid for cid in batch if cid in keyed and cid not in held]


def checked_reason(reason: str) -> str:
    """The stated reason, trimmed; refuses an empty, overlong or control-character one."""
    missing = (
        "an erasure needs a reason: say why, e.g. 'data-subject request 2024-117' "
        "(no personal data: the reason is kept in the receipt)"
    )
    advice = " (a request reference is enough)"
    return checked_text(reason, missing=missing, limit=MAX_REASON_CHARS, advice=advice)
