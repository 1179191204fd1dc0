"""Ingest: a validated batch of tracking calls becomes stored, protected customer data."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from strongroom.collect.cards import card_in, without_card_data
from strongroom.collect.catalog import FieldTally
from strongroom.collect.classification import classify_traits, default_registry
from strongroom.collect.detectors.registry import DetectorRegistry
from strongroom.collect.guardrails import IdentityPolicy
from strongroom.collect.identity import IdentityResolver
from strongroom.collect.orders import OrderDraft, order_draft
from strongroom.collect.sealing import EventSealer
from strongroom.collect.segment import ParsedRequest, SegmentMessage
from strongroom.collect.traits import TraitWriter
from strongroom.core.clock import Clock, ensure_utc
from strongroom.core.errors import ConfigurationError, ConflictError
from strongroom.core.models import Consent, CustomerId, Event, Order, Source
from strongroom.core.ports import AuditTrail, UnitOfWork, UnitOfWorkFactory
from strongroom.core.schema import CARD_DATA_CLASS, EVENT_DATA_CLASS, ORDER_DATA_CLASS, DataClass
from strongroom.core.trail import AuditAction, AuditDraft, Origin, Outcome
from strongroom.vault.cards import CardNumber
from strongroom.vault.service import SubjectVault
from strongroom.vault.tokenization import CardToken, CardVault

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
    card: CardNumber | None = None


class Ingestor:
    """Stores batches from authenticated sources: all of a batch commits, or none of it."""

    def __init__(
        self,
        *,
        uow_factory: UnitOfWorkFactory,
        vault: SubjectVault,
        audit: AuditTrail,
        clock: Clock,
        cards: CardVault | None = None,
        detectors: DetectorRegistry | None = None,
        identity: IdentityPolicy | None = None,
    ) -> None:
        self._uow_factory, self._vault, self._audit, self._clock = uow_factory, vault, audit, clock
        self._identity = identity or IdentityPolicy()  # blocked values, per-type limits
        self._detectors = detectors or default_registry()  # finds PII in unknown fields
        self._cards = cards  # without a card vault, a call carrying a card number is refused

    def ingest(
        self, *, source: Source, request: ParsedRequest, origin: Origin | None = None
    ) -> IngestResult:
        """Store every new message of ``request``; messages seen before are counted, not stored.

        ``origin`` (where the request came from) goes into the batch's audit entry.
        """
        received_at = self._clock.now()
        prepared = [
            _prepare(message, request.sent_at, received_at, index=i)
            for i, message in enumerate(request.messages)
        ]
        for attempt in range(_ATTEMPTS):
            try:
                return self._store(source, prepared, received_at, origin)
            except ConflictError:
                if attempt == _ATTEMPTS - 1:
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

    def _store(
        self, source: Source, batch: list[_Prepared], now: datetime, origin: Origin | None
    ) -> IngestResult:
        with self._uow_factory() as uow:
            fresh = _new_messages(uow, source, batch)
            resolver = IdentityResolver(uow, self._vault, now, policy=self._identity, source=source)
            resolver.preload([item.message for item in fresh])
            entries = [resolver.resolve(item.message) for item in fresh]
            owners = resolver.owners(entries)  # after the merges the batch made
            traits = TraitWriter(uow, self._vault, resolver, now)
            identifies = [
                (item.message.traits, owner)
                for item, owner in zip(fresh, owners, strict=True)
                if item.message.type == "identify" and item.message.traits
            ]
            traits.preload([owner for _, owner in identifies])
            classes = {EVENT_DATA_CLASS}
            tally = FieldTally(self._vault, now)  # the field catalog's counts for this batch
            for sent_traits, owner in identifies:
                classified = classify_traits(sent_traits, self._detectors)
                tally.add(classified.fields)
                classes |= traits.apply(owner, classified)
            uow.customers.add(list(resolver.new_customers.values()))
            uow.subject_keys.add(resolver.new_subject_keys)
            uow.identifiers.add(resolver.new_identifiers)
            resolver.flush()
            traits.flush()
            cards = self._tokenize(uow, fresh, owners, now)
            rows = zip(fresh, owners, cards, strict=True)
            sealer = EventSealer(self._vault, self._detectors, resolver.subject_key, tally)
            events = [
                sealer.seal(_event(source, i, o, c, now), i.message.context, card=c is not None)
                for i, o, c in rows
            ]
            uow.events.add(events)
            classes |= sealer.data_classes
            uow.field_catalog.record(tally.counts())
            orders = _new_orders(uow, source, fresh, owners, cards)
            classes |= _stored_classes(orders, cards)
            uow.orders.add(orders)
            uow.consents.add(_consents(source, fresh, owners, now))
            order_ids = [item.order.external_id if item.order else None for item in fresh]
            uow.merges.add_moves(resolver.routed_moves(entries, events, orders, order_ids))
            result = IngestResult(
                received=len(batch),
                stored=len(fresh),
                duplicates=len(batch) - len(fresh),
                customers_created=len(resolver.new_customers),
                orders=len(orders),
            )
            drafts = resolver.links.audit_drafts(origin)  # merges and reviews, then the batch
            drafts.append(_audit_draft(source, owners, classes, result, origin))
            self._audit.record(uow, drafts)
            uow.commit()
        return result

    def _tokenize(
        self, uow: UnitOfWork, batch: list[_Prepared], owners: list[CustomerId], now: datetime
    ) -> list[CardToken | None]:
        """Each call's card number swapped for its token; the number goes to the card vault only."""
        vault = self._cards
        if vault is None and any(item.card for item in batch):
            raise ConfigurationError(
                "a call carries a card number but this ingestor has no card vault; "
                "wire a CardVault into the Ingestor (bootstrap does)"
            )
        return [
            vault.tokenize(uow, card=item.card, customer_id=owner, now=now)
            if vault is not None and item.card is not None
            else None
            for item, owner in zip(batch, owners, strict=True)
        ]


def _stored_classes(orders: list[Order], cards: list[CardToken | None]) -> set[DataClass]:
    classes = {ORDER_DATA_CLASS} if orders else set()
    return classes | ({CARD_DATA_CLASS} if any(cards) else set())


def _prepare(
    message: SegmentMessage, batch_sent_at: datetime | None, received_at: datetime, *, index: int
) -> _Prepared:
    timestamp = ensure_utc(message.timestamp) if message.timestamp else received_at
    sent_at = message.sent_at or batch_sent_at
    if sent_at is not None:
        # The client's clock may be off: keep the event's offset from sending, on our clock.
        timestamp = received_at - (ensure_utc(sent_at) - timestamp)
    order = order_draft(message, where=f"batch[{index}]")
    card = card_in(message, where=f"batch[{index}]")
    return _Prepared(message, message.message_id or str(uuid.uuid4()), timestamp, order, card)


def _new_messages(uow: UnitOfWork, source: Source, batch: list[_Prepared]) -> list[_Prepared]:
    known = uow.events.known_message_ids(source.id, [item.message_id for item in batch])
    fresh: list[_Prepared] = []
    for item in batch:
        if item.message_id not in known:
            known.add(item.message_id)
            fresh.append(item)
    return fresh


def _event(
    source: Source, item: _Prepared, owner: CustomerId, card: CardToken | None, now: datetime
) -> Event:
    message = item.message
    name = message.event if message.type == "track" else message.name
    # Card numbers never reach the events table: only their token, last four digits and brand.
    stored = message.type in {"track", "page", "screen"}
    properties = without_card_data(message.properties, card) if stored else {}
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
    uow: UnitOfWork,
    source: Source,
    batch: list[_Prepared],
    owners: list[CustomerId],
    cards: list[CardToken | None],
) -> list[Order]:
    rows = zip(batch, owners, cards, strict=True)
    drafts = [(item, owner, card) for item, owner, card in rows if item.order]
    known = uow.orders.known_external_ids(
        source.id, [i.order.external_id for i, _, _ in drafts if i.order]
    )
    orders: list[Order] = []
    for item, owner, card in drafts:
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
                card_token=card.token if card else None,
                card_last4=card.last4 if card else None,
                card_brand=card.brand if card else None,
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
    source: Source,
    owners: Sequence[CustomerId],
    classes: set[DataClass],
    result: IngestResult,
    origin: Origin | None,
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
        origin=origin,
    )
