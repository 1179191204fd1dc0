"""Staff reads of customer profiles, through the policy and into the audit log."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from strongroom.api.deps import AppDep, CurrentActor, Purpose
from strongroom.api.models import CustomerOut, CustomerPage
from strongroom.core.models import CustomerId

router = APIRouter(prefix="/api/v1/customers", tags=["customers"])

CustomerIdPath = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[0-9a-f-]+$")]
EmailQuery = Annotated[str, Query(min_length=3, max_length=320, description="Exact email address")]


@router.get("/{customer_id}")
def read_customer(
    app: AppDep, actor: CurrentActor, customer_id: CustomerIdPath, purpose: Purpose = None
) -> CustomerOut:
    """One customer profile; PII masked unless the caller's role may read it."""
    view = app.profiles.read_customer(
        actor=actor, customer_id=CustomerId(customer_id), purpose=purpose
    )
    return CustomerOut.from_view(view)


@router.get("")
def find_customers(
    app: AppDep, actor: CurrentActor, email: EmailQuery, purpose: Purpose = None
) -> CustomerPage:
    """Customers with this email address (found through its blind index)."""
    views = app.profiles.find_by_email(actor=actor, email=email, purpose=purpose)
    return CustomerPage(items=[CustomerOut.from_view(view) for view in views])
