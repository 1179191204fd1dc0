"""Right of access (GDPR Art. 15): everything held on a person, decrypted, machine readable, with
who accessed their data according to the audit log.

An export answers one verified access request. It is refused under a legal hold and for an erased
customer (nothing readable is left), and it is audited. It counts as one customer record exported
against the principal's hourly volume limit (access.volume): over it, the export is refused with
``volume_limited``, nothing is handed out or recorded as exported, and the refusal is audited.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from strongroom.access.holds import refuse_if_exports_frozen, refuse_under_hold
from strongroom.access.profiles import decrypt_fields, decrypt_identifiers
from strongroom.access.volume import charge, refusal
from strongroom.core.clock import Clock
from strongroom.core.errors import NotFoundError
from strongroom.core.models import Actor, CustomerId, Event, Order
from strongroom.core.ports import AuditTrail, UnitOfWork, UnitOfWorkFactory
from strongroom.core.privacy import RequestKind
from strongroom.core.schema import FIELDS_BY_NAME, DataClass
from strongroom.core.trail import AuditAction, AuditDraft, AuditEntry, Outcome
from strongroom.privacy.requests import authorise_dsar, verified_request
from strongroom.vault.service import SubjectVault

EXPORT_FORMAT = "strongroom-subject-export/1"
EXPORTED_RECORDS = 1  # one person's record, whatever its events and orders: the volume charge
_PAGE = 1000

Row = dict[str, Any]


@dataclass(frozen=True, slots=True)
class SubjectExport:
    """The export as tables of plain rows; ``document`` nests them for the JSON file."""

    customer_id: CustomerId
    request_id: str
    generated_at: datetime
    tables: dict[str, list[Row]] = field(default_factory=dict)

    @property
    def document(self) -> dict[str, Any]:
        return {
            "format": EXPORT_FORMAT,
            "customer_id": self.customer_id,
            "request_id": self.request_id,
            "generated_at": self.generated_at.isoformat(),
            **self.tables,
        }


@dataclass(frozen=True, slots=True)
class SubjectExporter:
    uow_factory: UnitOfWorkFactory
    reader: UnitOfWorkFactory  # read-only: the audit log is scanned without the write lock
    vault: SubjectVault
    audit: AuditTrail
    clock: Clock

    def export(self, *, actor: Actor, request_id: str) -> SubjectExport:
        """Everything held on the person who made access request ``request_id``."""
        purpose = authorise_dsar(self.uow_factory, self.audit, actor)
        with self.uow_factory() as uow:
            request = verified_request(
                uow, request_id, kind=RequestKind.ACCESS, act="an export answers only"
            )
            customer_id = request.customer_id
            refuse_under_hold(uow, customer_id, act="export")
            refuse_if_exports_frozen(uow, act="data-subject export")
            tables = _store_tables(uow, self.vault, customer_id)
        tables["access_log"] = self._access_log(customer_id)
        now = self.clock.now()
        export = SubjectExport(customer_id, request_id, now, tables)
        with self.uow_factory() as uow:
            over = charge(uow, actor=actor, records=EXPORTED_RECORDS, now=now)
            if over is None:
                self.audit.record(uow, [_exported(actor, export, purpose)])
                uow.commit()
        if over is not None:  # rolled back: not counted, not exported; the refusal is audited
            raise refusal(
                uow_factory=self.uow_factory, audit=self.audit, actor=actor, limit=over, now=now
            )
        return export

    def _access_log(self, customer_id: CustomerId) -> list[Row]:
        with self.reader() as uow:
            return [_access_row(entry) for entry in _entries_about(uow, customer_id)]


def _store_tables(uow: UnitOfWork, vault: SubjectVault, customer_id: CustomerId) -> dict[str, Any]:
    stored = uow.customers.get_many([customer_id]).get(customer_id)
    if stored is None:
        raise NotFoundError(f"no customer with id {customer_id!r}")
    fields = {**decrypt_fields(vault, uow, stored), **stored.demographics}
    orders = uow.orders.for_customer(customer_id)
    return {
        "profile": [
            {"field": name, "data_class": _class_of(name), "value": value}
            for name, value in sorted(fields.items())
        ],
        "identifiers": [
            {"kind": kind.value, "value": value}
            for kind, value in decrypt_identifiers(vault, uow, customer_id)
        ],
        "consents": [
            {
                "purpose": consent.purpose,
                "granted": consent.granted,
                "recorded_at": consent.recorded_at.isoformat(),
                "source": consent.source_id,
                "wording_version": consent.wording_version,
            }
            for consent in uow.consents.history(customer_id)
        ],
        "events": [_event_row(event) for event in _events(uow, customer_id)],
        "orders": [_order_row(order) for order in orders],
        "order_lines": [line for order in orders for line in _line_rows(order)],
        "requests": [
            {
                "id": request.id,
                "kind": request.kind.value,
                "status": request.status.value,
                "received_at": request.received_at.isoformat(),
                "due_at": request.due_at.isoformat(),
            }
            for request in uow.privacy_requests.for_customer(customer_id)
        ],
        "record": [
            {
                "created_at": stored.created_at.isoformat(),
                "updated_at": stored.updated_at.isoformat(),
            }
        ],
    }


def _class_of(name: str) -> str:
    spec = FIELDS_BY_NAME.get(name)
    return (spec.data_class if spec else DataClass.UNCLASSIFIED).value


def _events(uow: UnitOfWork, customer_id: CustomerId) -> Iterator[Event]:
    after: str | None = None
    while page := uow.events.page_for_customer(customer_id, after=after, limit=_PAGE):
        yield from page
        after = page[-1].id


def _event_row(event: Event) -> Row:
    return {
        "type": event.type,
        "name": event.name,
        "timestamp": event.timestamp.isoformat(),
        "received_at": event.received_at.isoformat(),
        "properties": event.properties,
    }


def _order_row(order: Order) -> Row:
    return {
        "order": order.external_id,
        "ordered_at": order.ordered_at.isoformat(),
        "total": str(order.total),
        "currency": order.currency,
        "card": f"{order.card_brand} ending {order.card_last4}" if order.card_last4 else None,
    }


def _line_rows(order: Order) -> list[Row]:
    return [
        {
            "order": order.external_id,
            "line": number,
            "sku": line.sku,
            "name": line.name,
            "quantity": line.quantity,
            "unit_price": str(line.unit_price),
        }
        for number, line in enumerate(order.lines, start=1)
    ]


def _entries_about(uow: UnitOfWork, customer_id: CustomerId) -> Iterator[AuditEntry]:
    for entry in uow.audit.scan():
        if customer_id in entry.draft.resource_ids:
            yield entry


def _access_row(entry: AuditEntry) -> Row:
    draft = entry.draft
    return {
        "seq": entry.seq,
        "at": entry.occurred_at.isoformat(),
        "who": draft.actor,
        "action": draft.action.stored_name,
        "what": draft.action.description,
        "purpose": draft.purpose,
        "outcome": draft.outcome.value,
    }


def _exported(actor: Actor, export: SubjectExport, purpose: str) -> AuditDraft:
    return AuditDraft(
        actor=actor.label,
        action=AuditAction.DSAR_EXPORTED,
        outcome=Outcome.SUCCESS,
        resource_type="customer",
        resource_ids=(export.customer_id,),
        data_classes=tuple(sorted({row["data_class"] for row in export.tables["profile"]})),
        purpose=purpose,
        detail={"request": export.request_id, **{k: len(v) for k, v in export.tables.items()}},
        origin=actor.origin,
    )
