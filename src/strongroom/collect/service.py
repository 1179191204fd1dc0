"""Ingest: a validated batch of tracking calls becomes stored, protected customer data."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from strongroom.collect.classification import classify_traits
from strongroom.collect.identity import IdentityResolver, identity_keys
from strongroom.collect.orders import OrderDraft, order_draft
from strongroom.collect.segment import ParsedRequest, SegmentMessage
from strongroom.collect.traits import TraitWriter
from strongroom.core.clock import Clock, ensure_utc
from strongroom.core.errors import ConflictError
from strongroom.core.models import Consent, CustomerId, Event, Order, Source
from strongroom.core.ports import AuditTrail, UnitOfWork, UnitOfWorkFactory
from strongroom.core.schema import EVENT_DATA_CLASS, ORDER_DATA_CLASS, DataClass
from strongroom.core.trail import AuditAction, AuditDraft, Outcome
from strongroom.vault.service import SubjectVault

_ATTEMPTS = 3  # a concurrent batch may create the same customer first; we then resolve to it


@dataclass(frozen=True, slots=True)
class IngestResult:
    received: int
    stored: int
    duplicates: int
    customers_created: int
    orders: int


@dataclass(frozen=True, slots=True)
class _Prepared:
    message: SegmentMessage
    message_id: str
    timestamp: datetime
    order: OrderDraft | None


class Ingestor:
    """Stores batches from authenticated sources: all of a batch commits, or none of it."""

    def __init__(
        self,
        *,
        uow_factory: UnitOfWorkFactory,
        vault: SubjectVault,
        audit: AuditTrail,
        clock: Clock,
    ) -> None:
        self._uow_factory, self._vault, self._audit, self._clock = uow_factory, vault, audit, clock

    def ingest(self, *, source: Source, request: ParsedRequest) -> IngestResult:
        """Store every new message of ``request``; messages seen before are counted, not stored."""
        received_at = self._clock.now()
        prepared = [
            _prepare(message, request.sent_at, received_at, index=i)
            for i, message in enumerate(request.messages)
        ]
        for attempt in range(_ATTEMPTS):
            try:
                return self._store(source, prepared, received_at)
            except ConflictError:
                if attempt == _ATTEMPTS - 1:
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

    def _store(self, source: Source, batch: list[_Prepared], now: datetime) -> IngestResult:
        with self._uow_factory() as uow:
            fresh = _new_messages(uow, source, batch)
            resolver = IdentityResolver(uow, self._vault, now)
            resolver.preload(key for item in fresh for key in identity_keys(item.message))
            owners = [resolver.resolve(identity_keys(item.message)) for item in fresh]
            traits = TraitWriter(uow, self._vault, resolver, now)
            identifies = [
                (item.message.traits, owner)
                for item, owner in zip(fresh, owners, strict=True)
                if item.message.type == "identify" and item.message.traits
            ]
            traits.preload([owner for _, owner in identifies])
            classes = {EVENT_DATA_CLASS}
            for sent_traits, owner in identifies:
                classes |= traits.apply(owner, classify_traits(sent_traits))
            uow.customers.add(list(resolver.new_customers.values()))
            uow.subject_keys.add(resolver.new_subject_keys)
            uow.identifiers.add(resolver.new_identifiers)
            traits.flush()
            pairs = zip(fresh, owners, strict=True)
            uow.events.add([_event(source, item, owner, now) for item, owner in pairs])
            orders = _new_orders(uow, source, fresh, owners)
            if orders:
                classes.add(ORDER_DATA_CLASS)
            uow.orders.add(orders)
            uow.consents.add(_consents(source, fresh, owners, now))
            result = IngestResult(
                received=len(batch),
                stored=len(fresh),
                duplicates=len(batch) - len(fresh),
                customers_created=len(resolver.new_customers),
                orders=len(orders),
            )
            self._audit.record(uow, [_audit_draft(source, owners, classes, result)])
            uow.commit()
        return result


def _prepare(
    message: SegmentMessage, batch_sent_at: datetime | None, received_at: datetime, *, index: int
) -> _Prepared:
    timestamp = ensure_utc(message.timestamp) if message.timestamp else received_at
    sent_at = message.sent_at or batch_sent_at
    if sent_at is not None:
        # The client's clock may be off: keep the event's offset from sending, on our clock.
        timestamp = received_at - (ensure_utc(sent_at) - timestamp)
    order = order_draft(message, where=f"batch[{index}]")
    return _Prepared(message, message.message_id or str(uuid.uuid4()), timestamp, order)


def _new_messages(uow: UnitOfWork, source: Source, batch: list[_Prepared]) -> list[_Prepared]:
    known = uow.events.known_message_ids(source.id, [item.message_id for item in batch])
    fresh: list[_Prepared] = []
    for item in batch:
        if item.message_id not in known:
            known.add(item.message_id)
            fresh.append(item)
    return fresh


def _event(source: Source, item: _Prepared, owner: CustomerId, now: datetime) -> Event:
    message = item.message
    name = message.event if message.type == "track" else message.name
    properties = message.properties if message.type in {"track", "page", "screen"} else {}
    return Event(
        id=str(uuid.uuid4()),
        source_id=source.id,
        message_id=item.message_id,
        customer_id=owner,
        type=message.type,
        name=name,
        properties=properties,
        timestamp=item.timestamp,
        received_at=now,
    )


def _new_orders(
    uow: UnitOfWork, source: Source, batch: list[_Prepared], owners: list[CustomerId]
) -> list[Order]:
    drafts = [(item, owner) for item, owner in zip(batch, owners, strict=True) if item.order]
    known = uow.orders.known_external_ids(
        source.id, [i.order.external_id for i, _ in drafts if i.order]
    )
    orders: list[Order] = []
    for item, owner in drafts:
        draft = item.order
        if draft is None or draft.external_id in known:
            continue
        known.add(draft.external_id)
        orders.append(
            Order(
                id=str(uuid.uuid4()),
                source_id=source.id,
                external_id=draft.external_id,
                customer_id=owner,
                total=draft.total,
                currency=draft.currency,
                ordered_at=item.timestamp,
                lines=draft.lines,
            )
        )
    return orders


def _consents(
    source: Source, batch: list[_Prepared], owners: list[CustomerId], now: datetime
) -> list[Consent]:
    consents: list[Consent] = []
    for item, owner in zip(batch, owners, strict=True):
        preferences: Any = item.message.context.get("consent", {})
        categories = (
            preferences.get("categoryPreferences") if isinstance(preferences, dict) else None
        )
        if not isinstance(categories, dict):
            continue
        for purpose, granted in categories.items():
            if isinstance(granted, bool) and isinstance(purpose, str) and len(purpose) <= 100:
                consents.append(Consent(owner, purpose, granted, source.id, now))
    return consents


def _audit_draft(
    source: Source, owners: Sequence[CustomerId], classes: set[DataClass], result: IngestResult
) -> AuditDraft:
    return AuditDraft(
        actor=f"source:{source.name}",
        action=AuditAction.INGEST_BATCH,
        outcome=Outcome.SUCCESS,
        resource_type="customer",
        resource_ids=tuple(sorted(set(owners))),
        data_classes=tuple(sorted(data_class.value for data_class in classes)),
        purpose="collection",
        detail={
            "received": result.received,
            "stored": result.stored,
            "duplicates": result.duplicates,
            "orders": result.orders,
            "customers_created": result.customers_created,
        },
    )
