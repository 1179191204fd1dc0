"""Vendors read the profile fields their key lists, and nothing else (Bearer ``srx_`` key)."""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from strongroom.api.deps import AppDep, presented_key
from strongroom.core.errors import InvalidInputError
from strongroom.core.models import CustomerId

router = APIRouter(prefix="/api/v1/vendor", tags=["vendors"])

CustomerIdPath = Annotated[str, Path(min_length=1, max_length=64)]
_CUSTOMER_ID = re.compile(r"[0-9a-f-]{1,64}")


class VendorCustomerOut(BaseModel):
    id: str
    fields: dict[str, Any]


@router.get("/customers/{customer_id}")
async def read_vendor_customer(
    request: Request, app: AppDep, customer_id: CustomerIdPath
) -> VendorCustomerOut:
    """The fields of one customer that the vendor's key lists, from its networks, in its time."""
    if not _CUSTOMER_ID.fullmatch(customer_id):
        raise InvalidInputError("customer_id: a customer id is a UUID (hex digits and '-')")
    presented = presented_key(request)
    view = await run_in_threadpool(
        lambda: app.machines.vendors.read_customer(
            presented=presented, customer_id=CustomerId(customer_id)
        )
    )
    return VendorCustomerOut(id=view.id, fields=view.fields)
