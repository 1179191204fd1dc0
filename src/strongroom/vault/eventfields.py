"""Sealed event fields: the PII and unclassified parts of an event, under the customer's key.

One ciphertext per event, made by ``SubjectVault.encrypt``: AES-256-GCM under the customer's own
data key, its AAD binding the customer, the event id and the field. Erasing the customer destroys
that key, so their sealed event data can never be opened again.
"""

from __future__ import annotations

from strongroom.core.errors import DecryptionError
from strongroom.core.models import CustomerId, Event, JsonObject
from strongroom.vault.service import SubjectVault


def sealed_field(event_id: str) -> str:
    """The field name the sealed data of one event is bound to."""
    return f"event:{event_id}:sealed"


def seal_event_fields(
    vault: SubjectVault,
    subject_key: bytes,
    *,
    customer_id: CustomerId,
    event_id: str,
    fields: JsonObject,
) -> bytes:
    """Encrypt an event's protected fields under its customer's data key."""
    return vault.encrypt(
        subject_key, customer_id=customer_id, field=sealed_field(event_id), value=fields
    )


def open_event_fields(vault: SubjectVault, subject_key: bytes, event: Event) -> JsonObject:
    """The sealed fields of ``event`` ({"properties": ..., "context": ...}); {} if none.

    The caller has checked the reader may see them and opened the customer's key.
    """
    if event.sealed is None:
        return {}
    value = vault.decrypt(
        subject_key,
        customer_id=event.customer_id,
        field=sealed_field(event.id),
        ciphertext=event.sealed,
    )
    if not isinstance(value, dict):
        raise DecryptionError(
            f"the sealed fields of event {event.id} are not an object; report this as a bug"
        )
    return value
