"""Erasing a customer (crypto-shredding) through the policy; answers with the signed receipt."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from strongroom.access.erasure import MAX_REASON_CHARS
from strongroom.api.deps import AppDep, CurrentActor, Purpose
from strongroom.api.routes.customers import CustomerIdPath
from strongroom.core.models import CustomerId
from strongroom.vault.receipts import ErasureReceipt

router = APIRouter(prefix="/api/v1/customers", tags=["customers"])


class ErasureIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(
        min_length=1,
        max_length=MAX_REASON_CHARS,
        description="Why, e.g. a data-subject request reference; no personal data",
    )


class ErasureReceiptOut(BaseModel):
    """The signed erasure receipt: check it with `strongroom keys verify-receipt`."""

    type: str
    version: int
    customer_pseudonym: str
    erased_at: str
    actor: str
    reason: str
    key_versions_destroyed: dict[str, int]
    signing_key_version: int
    public_key: str = Field(description="Ed25519 public key, base64")
    signature: str = Field(description="Ed25519 signature, base64")

    @classmethod
    def from_receipt(cls, receipt: ErasureReceipt) -> ErasureReceiptOut:
        document: dict[str, Any] = receipt.as_dict()
        return cls(**document)


@router.delete("/{customer_id}")
def erase_customer(
    app: AppDep,
    actor: CurrentActor,
    customer_id: CustomerIdPath,
    erasure: ErasureIn,
    purpose: Purpose = None,
) -> ErasureReceiptOut:
    """Destroy the customer's data key: all their personal data becomes unreadable for good."""
    receipt = app.erasure.erase_customer(
        actor=actor, customer_id=CustomerId(customer_id), reason=erasure.reason, purpose=purpose
    )
    return ErasureReceiptOut.from_receipt(receipt)
