"""Erasing a customer at a staff member's request: policy first, then crypto-shredding.

The erasure, its record and its audit entry commit together. Its signed receipt is appended to
the erasure ledger outside the database before that commit, so no erasure that took effect can be
missing from the ledger a restore re-applies; at worst the ledger holds a receipt for an erasure
whose commit then failed, which a restore carries out as was intended.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from strongroom.access.permissions import Permission
from strongroom.access.policy import require, resolve_purpose, role_named
from strongroom.core.clock import Clock
from strongroom.core.custody import ErasureLedger
from strongroom.core.errors import InvalidInputError, PermissionDeniedError
from strongroom.core.models import Actor, CustomerId
from strongroom.core.ports import AuditTrail, UnitOfWorkFactory
from strongroom.core.trail import AuditAction, AuditDraft, Outcome
from strongroom.vault.receipts import ErasureReceipt, SigningKeys, audit_signing_public_keys
from strongroom.vault.shredding import Shredder

MAX_REASON_CHARS = 500


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
            receipt = shredder.erase(
                uow,
                actor=actor,
                customer_id=customer_id,
                reason=reason,
                purpose=stated,
                now=self.clock.now(),
            )
            self.ledger.append(receipt.to_json())
            uow.commit()
        return receipt

    def home_signing_keys(self) -> dict[int, bytes]:
        """This data home's audit-signing public keys by version, to check receipts against."""
        return audit_signing_public_keys(self.keys)

    def _authorise(self, actor: Actor, purpose: str | None) -> str:
        role = role_named(actor.role or "")
        try:
            require(role, Permission.CUSTOMERS_ERASE)
            return resolve_purpose(role, purpose)
        except PermissionDeniedError:
            draft = AuditDraft(
                actor=actor.label,
                action=AuditAction.ACCESS_DENIED,
                outcome=Outcome.DENIED,
                resource_type="customer",
                detail={"permission": Permission.CUSTOMERS_ERASE.value},
                origin=actor.origin,
            )
            with self.uow_factory() as uow:
                self.audit.record(uow, [draft])
                uow.commit()
            raise


def checked_reason(reason: str) -> str:
    """The stated reason, trimmed; refuses an empty, overlong or control-character one."""
    text = reason.strip()
    if not text:
        raise InvalidInputError(
            "an erasure needs a reason: say why, e.g. 'data-subject request 2024-117' "
            "(no personal data: the reason is kept in the receipt)"
        )
    if len(text) > MAX_REASON_CHARS:
        raise InvalidInputError(
            f"the reason is {len(text)} characters; keep it to {MAX_REASON_CHARS} "
            "(a request reference is enough)"
        )
    if any(unicodedata.category(char) == "Cc" for char in text):
        raise InvalidInputError("the reason holds control characters; write it on one line")
    return text
