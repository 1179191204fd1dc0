"""A batch's memo and the key caches change nothing but speed: same classes, same stored values."""

from __future__ import annotations

import random
from typing import Any

import pytest

from strongroom.collect.classification import ClassifiedEvent, Memo, classify_event
from strongroom.collect.detectors.base import is_plain_key, key_context, normalise_key
from strongroom.collect.detectors.registry import build_registry
from strongroom.collect.rules import CARD_REMOVED, key_is_safe
from strongroom.core.schema import DataClass

REGISTRY = build_registry()
UA = "Mozilla/5.0 (X11; Linux x86_64)"
TEXTS = [
    "SKU-1",
    "blue",
    "ann@example.org",
    "+44 20 7946 0958",
    "paid 4111 1111 1111 1111",
    "call me later",
    "https://shop.example/?email=ann@example.org",
    "https://shop.example/p/1",
    "10 Downing Street",
    "Ann",
    "203.0.113.9",
    "x" * 300,  # longer than the memo keeps
]
KEYS = ["sku", "name", "url", "note", "first_name", "street", "contact", "path", "Product ID"]


def _calls(n: int) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    rng = random.Random(5)
    calls = []
    for _ in range(n):
        properties: dict[str, Any] = {key: rng.choice(TEXTS) for key in rng.sample(KEYS, 4)}
        properties["price"] = rng.choice([9.5, 9, True, 4111111111111111])
        page = {"url": rng.choice(TEXTS), "title": rng.choice(TEXTS)}
        context = {"ip": "203.0.113.9", "userAgent": UA, "page": page, "locale": rng.choice(TEXTS)}
        calls.append((properties, context))
    return calls


def _stored(event: ClassifiedEvent) -> tuple[object, ...]:
    return (event.properties, event.context, event.sealed, [f.key for f in event.fields])


def test_a_batch_memo_gives_every_event_what_it_gets_alone() -> None:
    memo: Memo = {}
    for properties, context in _calls(300):
        remembered = classify_event(properties, context, REGISTRY, memo)
        alone = classify_event(properties, context, REGISTRY)
        assert _stored(remembered) == _stored(alone)
        assert [f.name_is_safe for f in remembered.fields] == [f.name_is_safe for f in alone.fields]
    assert memo  # it was used
    assert all(len(text) <= 256 for _, _, text in memo)


def test_the_memo_keeps_a_property_and_a_context_field_of_one_name_apart() -> None:
    memo: Memo = {}
    event = classify_event({"userAgent": UA}, {"userAgent": UA}, REGISTRY, memo)
    classes = {(f.key.scope, f.key.data_class) for f in event.fields}
    assert ("property", DataClass.UNCLASSIFIED) in classes  # free text under an unknown key
    assert ("context", DataClass.PII) in classes  # the declared user agent


def test_a_card_number_is_cut_out_of_a_remembered_text_too() -> None:
    memo: Memo = {}
    for _ in range(2):
        event = classify_event({"memo": "paid 4111 1111 1111 1111"}, {}, REGISTRY, memo)
        assert event.sealed_properties == {"memo": f"paid {CARD_REMOVED}"}


@pytest.mark.parametrize(
    ("key", "plain"),
    [
        ("productId", True),
        ("sku", True),
        ("ann@example.org", False),
        ("k4111111111111111", False),  # an identifier holding a card number
        ("two words", False),
        ("Straße", False),
    ],
)
def test_only_plain_identifiers_are_remembered(key: str, plain: bool) -> None:
    assert is_plain_key(key) is plain


@pytest.mark.parametrize(
    ("key", "normalised"),
    [("productId", "product_id"), ("product_id", "product_id"), ("Product ID", "product_id")],
)
def test_keys_normalise_the_same_whether_remembered_or_not(key: str, normalised: str) -> None:
    assert normalise_key(key) == normalise_key(key) == normalised
    assert key_context(key).key == normalised
    assert key_context(key).siblings == frozenset()


def test_a_key_holding_a_card_number_is_never_remembered_as_safe() -> None:
    assert key_is_safe("k4111111111111111", REGISTRY) is False
    assert key_is_safe("k4111111111111111", REGISTRY) is False
    assert key_is_safe("k4111111111111112", REGISTRY) is True  # fails Luhn: not a card
