"""The field catalog and sealed event columns behave alike on the fakes, SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

from strongroom.core.catalog import (
    CatalogEntry,
    FieldCount,
    FieldKey,
    FieldProtection,
    FieldScope,
    FieldStorage,
)
from strongroom.core.schema import DataClass

from .conftest import T0, Samples

SKU = FieldKey(
    FieldScope.PROPERTY,
    "sku",
    DataClass.BEHAVIORAL,
    FieldProtection.PLAIN,
    FieldStorage.EVENT_PROPERTIES,
)
NOTE = FieldKey(
    FieldScope.PROPERTY,
    "note",
    DataClass.UNCLASSIFIED,
    FieldProtection.SEALED_UNCLASSIFIED,
    FieldStorage.EVENT_SEALED,
)
NOTE_PII = FieldKey(
    FieldScope.PROPERTY, "note", DataClass.PII, FieldProtection.ENCRYPTED, FieldStorage.EVENT_SEALED
)


def test_counts_add_up_per_field_and_last_seen_is_the_latest(uow_factory) -> None:
    later = T0 + timedelta(hours=1)
    with uow_factory() as uow:
        uow.field_catalog.record([FieldCount(SKU, 3, later), FieldCount(NOTE, 1, later)])
        uow.commit()
    with uow_factory() as uow:
        uow.field_catalog.record([FieldCount(SKU, 2, T0), FieldCount(NOTE_PII, 4, T0)])
        uow.commit()
    with uow_factory() as uow:
        entries = uow.field_catalog.entries()
    assert entries == [
        CatalogEntry(NOTE_PII, 4, T0, T0),
        CatalogEntry(NOTE, 1, later, later),
        CatalogEntry(SKU, 5, later, later),
    ]


def test_one_batch_may_count_a_field_twice(uow_factory) -> None:
    with uow_factory() as uow:
        uow.field_catalog.record([FieldCount(SKU, 1, T0), FieldCount(SKU, 2, T0)])
        uow.field_catalog.record([])
        uow.commit()
    with uow_factory() as uow:
        assert [(e.key, e.records) for e in uow.field_catalog.entries()] == [(SKU, 3)]


def test_counts_roll_back_with_their_batch(uow_factory) -> None:
    with uow_factory() as uow:
        uow.field_catalog.record([FieldCount(SKU, 1, T0)])
    with uow_factory() as uow:
        assert uow.field_catalog.entries() == []


def test_an_event_keeps_its_context_and_sealed_fields(uow_factory, samples: Samples) -> None:
    customer = samples.customer()
    source, key = samples.source()
    sealed = samples.event(
        customer.id, source.id, context={"locale": "en-GB", "page.path": "/"}, sealed=b"\x00ct"
    )
    plain = samples.event(customer.id, source.id)
    with uow_factory() as uow:
        uow.customers.add([customer])
        uow.sources.add(source, key)
        uow.events.add([sealed, plain])
        uow.commit()
    with uow_factory() as uow:
        stored = {event.id: event for event in uow.events.page_for_customer(customer.id)}
    assert stored == {sealed.id: sealed, plain.id: plain}
    assert stored[plain.id].sealed is None
    assert stored[plain.id].context == {}
