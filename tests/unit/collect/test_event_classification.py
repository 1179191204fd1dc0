"""Event properties and context: declared fields by the schema, the rest by the rules."""

from __future__ import annotations

from strongroom.collect.classification import classify_event
from strongroom.core.catalog import FieldProtection, FieldStorage
from strongroom.core.schema import DataClass

CONTEXT = {
    "ip": "203.0.113.9",
    "userAgent": "Mozilla/5.0 (X11; Linux x86_64)",
    "locale": "en-GB",
    "page": {"path": "/shop", "url": "https://shop.example/shop?email=ann@example.org"},
    "library": {"name": "analytics.js", "version": "2.11.1"},
    "traits": {"email": "ann@example.org"},  # not declared: never stored
}


def test_declared_properties_stay_plain_and_pii_is_sealed() -> None:
    properties = {
        "sku": "SKU-1",
        "price": 9.5,
        "productId": "p-1",
        "gift_message": "happy birthday Ann",
        "buyer_contact": "ann@example.org",
        "size": "M",
    }
    event = classify_event(properties, CONTEXT)
    assert event.properties == {"sku": "SKU-1", "price": 9.5, "productId": "p-1", "size": "M"}
    assert event.sealed_properties == {
        "gift_message": "happy birthday Ann",
        "buyer_contact": "ann@example.org",
    }


def test_only_declared_context_is_kept_ip_and_user_agent_sealed() -> None:
    event = classify_event({}, CONTEXT)
    assert event.context == {
        "locale": "en-GB",
        "page.path": "/shop",
        "library.name": "analytics.js",
        "library.version": "2.11.1",
    }
    assert event.sealed_context == {
        "ip": "203.0.113.9",
        "userAgent": "Mozilla/5.0 (X11; Linux x86_64)",
        "page.url": "https://shop.example/shop?email=ann@example.org",
    }
    assert "traits" not in {**event.context, **event.sealed_context}
    assert event.sealed == {"properties": {}, "context": event.sealed_context}


def test_each_field_is_reported_with_its_class_protection_and_storage() -> None:
    event = classify_event({"sku": "A", "note": "call me later", "card_token": "tok_x"}, {})
    seen = {f.key.name: (f.key.data_class, f.key.protection, f.key.storage) for f in event.fields}
    assert seen == {
        "sku": (DataClass.BEHAVIORAL, FieldProtection.PLAIN, FieldStorage.EVENT_PROPERTIES),
        "note": (
            DataClass.UNCLASSIFIED,
            FieldProtection.SEALED_UNCLASSIFIED,
            FieldStorage.EVENT_SEALED,
        ),
        "card_token": (DataClass.PAYMENT, FieldProtection.TOKENIZED, FieldStorage.EVENT_PROPERTIES),
    }


def test_an_event_with_nothing_to_seal_has_no_sealed_part() -> None:
    assert classify_event({"sku": "A"}, {"locale": "de-DE"}).sealed is None


def test_a_key_that_is_pii_is_sealed_and_not_safe_to_name() -> None:
    event = classify_event({"ann@example.org": True}, {})
    assert event.properties == {}
    assert event.sealed_properties == {"ann@example.org": True}
    assert [f.name_is_safe for f in event.fields] == [False]
