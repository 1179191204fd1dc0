"""The rules for unknown fields: PII by the detectors, behavioral tokens, unclassified free text."""

from __future__ import annotations

from typing import Any

import pytest

from strongroom.collect.detectors.registry import build_registry
from strongroom.collect.rules import CARD_REMOVED, judge_field, key_is_safe
from strongroom.core.schema import DataClass

REGISTRY = build_registry()
PII, BEHAVIORAL, UNCLASSIFIED = DataClass.PII, DataClass.BEHAVIORAL, DataClass.UNCLASSIFIED


@pytest.mark.parametrize(
    ("key", "value", "data_class", "pii_type"),
    [
        ("plan", "gold", BEHAVIORAL, None),
        ("color", "dark-blue", BEHAVIORAL, None),
        ("count", 3, BEHAVIORAL, None),
        ("ratio", 0.25, BEHAVIORAL, None),
        ("opted_in", True, BEHAVIORAL, None),
        ("big_number", 12345678, BEHAVIORAL, None),
        ("tags", ["a", "b"], BEHAVIORAL, None),
        ("contact", "ann@example.org", PII, "email"),
        ("backup", "+44 20 7946 0958", PII, "phone"),
        ("ref", "DE89370400440532013000", PII, "iban"),
        ("ssn", 536904399, PII, "us_ssn"),
        ("given_name", "Ann", PII, "person_name"),
        ("origin", "10.1.2.3", PII, "ip_address"),
        ("comment", "nice shop", UNCLASSIFIED, None),
        ("blob", "x" * 65, UNCLASSIFIED, None),
        ("prefs", {"theme": "dark", "note": "call me"}, UNCLASSIFIED, None),
        ("ship_to", {"zip": "10115", "city": "Berlin"}, PII, "postal_address"),
        ("people", [{"first_name": "Ann"}], PII, "person_name"),
        ("ann@example.org", True, PII, "key"),
        ("has space", 1, PII, "key"),
    ],
)
def test_an_unknown_field_is_classified_by_the_rules(
    key: str, value: Any, data_class: DataClass, pii_type: str | None
) -> None:
    judged = judge_field(key, value, REGISTRY)
    assert (judged.data_class, judged.pii_type) == (data_class, pii_type)


def test_a_postcode_without_a_city_stays_behavioral() -> None:
    assert judge_field("box", {"zip": "10115", "sku": "A1"}, REGISTRY).data_class is BEHAVIORAL


@pytest.mark.parametrize(
    ("value", "kept"),
    [
        ("paid 4111 1111 1111 1111 ok", f"paid {CARD_REMOVED} ok"),
        (4111111111111111, CARD_REMOVED),
        ({"note": "card 4111111111111111"}, {"note": f"card {CARD_REMOVED}"}),
    ],
)
def test_card_numbers_in_unknown_fields_are_cut_out(value: Any, kept: Any) -> None:
    judged = judge_field("memo", value, REGISTRY)
    assert judged.data_class is PII
    assert judged.value == kept


@pytest.mark.parametrize(
    ("key", "safe"),
    [
        ("plan", True),
        ("utm_source", True),
        ("$price", True),
        ("ann@example.org", False),
        ("4111111111111111", False),
        ("two words", False),
        ("x" * 65, False),
    ],
)
def test_only_plain_identifier_keys_are_safe_to_store(key: str, safe: bool) -> None:
    assert key_is_safe(key, REGISTRY) is safe
