"""Staff reads of customer profiles, through the policy and into the audit log."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Path, Query

from strongroom.api.deps import AppDep, CurrentActor, Purpose
from strongroom.api.models import CustomerOut, CustomerPage
from strongroom.core.errors import InvalidInputError
from strongroom.core.models import CustomerId

router = APIRouter(prefix="/api/v1/customers", tags=["customers"])

# Checked in the route, not by the framework, so that an injection-shaped id is audited.
CustomerIdPath = Annotated[str, Path(min_length=1, max_length=1024)]
_CUSTOMER_ID = re.compile(r"[0-9a-f-]{1,64}")
EmailQuery = Annotated[
    str | None, Query(min_length=3, max_length=320, description="Exact email address")
]
PhoneQuery = Annotated[
    str | None, Query(min_length=3, max_length=40, description="Phone number, any common format")
]


@router.get("/{customer_id}")
def read_customer(
    app: AppDep, actor: CurrentActor, customer_id: CustomerIdPath, purpose: Purpose = None
) -> CustomerOut:
    """One customer profile; PII masked unless the caller's role may read it."""
    if not _CUSTOMER_ID.fullmatch(customer_id):
        app.monitoring.screen.screen(actor=actor, field="customer_id", value=customer_id)
        raise InvalidInputError("customer_id: a customer id is a UUID (hex digits and '-')")
    view = app.profiles.read_customer(
        actor=actor, customer_id=CustomerId(customer_id), purpose=purpose
    )
    return CustomerOut.from_view(view)


@router.get("")
def find_customers(
    app: AppDep,
    actor: CurrentActor,
    email: EmailQuery = None,
    phone: PhoneQuery = None,
    purpose: Purpose = None,
) -> CustomerPage:
    """Customers with this email address or phone number (found through its blind index)."""
    if (email is None) == (phone is None):
        raise InvalidInputError("give exactly one of the query parameters 'email' or 'phone'")
    field, value = ("email", email) if email is not None else ("phone", phone or "")
    if app.monitoring.screen.screen(actor=actor, field=field, value=value):
        raise InvalidInputError(f"{field}: that is not a valid {field}; send the exact value")
    views = app.profiles.find_customers(actor=actor, field=field, value=value, purpose=purpose)
    return CustomerPage(items=[CustomerOut.from_view(view) for view in views])
