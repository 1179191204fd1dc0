"""How a stored customer's fields split into ciphertext and plain columns, shared by adapters."""

from __future__ import annotations

from strongroom.core.models import StoredCustomer
from strongroom.core.schema import CUSTOMER_FIELDS, EXTRA_TRAITS_FIELD, Protection

# Every encrypted field has a ciphertext column; traits matching no field share one more.
ENCRYPTED_CUSTOMER_FIELDS: tuple[str, ...] = (
    *(spec.name for spec in CUSTOMER_FIELDS if spec.protection is Protection.ENCRYPTED),
    EXTRA_TRAITS_FIELD,
)
PLAIN_CUSTOMER_FIELDS: tuple[str, ...] = tuple(
    spec.name for spec in CUSTOMER_FIELDS if spec.protection is Protection.PLAIN
)


def check_customer_fields(customer: StoredCustomer) -> None:
    """Refuse fields that have no column: ciphertext only for encrypted ones, values for plain."""
    unknown = sorted(
        (customer.encrypted.keys() - set(ENCRYPTED_CUSTOMER_FIELDS))
        | (customer.demographics.keys() - set(PLAIN_CUSTOMER_FIELDS))
    )
    if unknown:
        raise ValueError(f"customer {customer.id} has fields with no storage: {unknown}")


def check_encrypted_field(field: str) -> None:
    """Refuse a field name that has no ciphertext column."""
    if field not in ENCRYPTED_CUSTOMER_FIELDS:
        raise ValueError(
            f"{field!r} is not an encrypted customer field; use one of {ENCRYPTED_CUSTOMER_FIELDS}"
        )
