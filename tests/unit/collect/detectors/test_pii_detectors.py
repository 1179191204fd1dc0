"""Each PII detector finds its type, with its score, and refuses the near-misses."""

from __future__ import annotations

import pytest

from strongroom.collect.detectors.base import FieldContext, normalise_key
from strongroom.collect.detectors.registry import DETECTORS, build_registry

REGISTRY = build_registry()


def _found(text: str) -> list[tuple[str, str, float]]:
    return [(text[s.start : s.end], s.type, s.score) for s in REGISTRY.detect(text)]


@pytest.mark.parametrize(
    ("text", "found", "pii_type", "score"),
    [
        ("write to ann.lee+shop@example.org today", "ann.lee+shop@example.org", "email", 0.9),
        ("call +44 20 7946 0958 now", "+44 20 7946 0958", "phone", 0.75),
        ("call (415) 555-2671 now", "(415) 555-2671", "phone", 0.5),
        ("paid with 4111 1111 1111 1111.", "4111 1111 1111 1111", "card_number", 0.9),
        ("amex 3782-822463-10005", "3782-822463-10005", "card_number", 0.9),
        ("to DE89 3704 0044 0532 0130 00 and", "DE89 3704 0044 0532 0130 00", "iban", 0.95),
        ("iban GB82WEST12345698765432", "GB82WEST12345698765432", "iban", 0.95),
        ("ssn 536-90-4399", "536-90-4399", "us_ssn", 0.6),
        ("NI number AB 12 34 56 C", "AB 12 34 56 C", "uk_nino", 0.7),
        ("Steuer-IdNr 36 574 261 809", "36 574 261 809", "de_tax_id", 0.5),
        ("NIR 2 95 10 99 126 111 93", "2 95 10 99 126 111 93", "fr_nir", 0.8),
        ("BSN 1112.22.333", "1112.22.333", "nl_bsn", 0.5),
        ("DNI 12345678-Z", "12345678-Z", "es_dni", 0.8),
        ("CF RSSMRA85T10A562S", "RSSMRA85T10A562S", "it_fiscal_code", 0.9),
        ("from 192.168.1.20 at noon", "192.168.1.20", "ip_address", 0.6),
        ("from fe80::1ff:fe23:4567:890a", "fe80::1ff:fe23:4567:890a", "ip_address", 0.6),
        ("hello, my name is Ann Lee", "Ann Lee", "person_name", 0.6),
        ("Dear Mrs. Quarrington,", "Quarrington", "person_name", 0.6),
        ("deliver to 10 Downing Street", "10 Downing Street", "postal_address", 0.6),
        ("bei Hauptstraße 5 klingeln", "Hauptstraße 5", "postal_address", 0.6),
        ("in 10115 Berlin", "10115 Berlin", "postal_address", 0.5),
        ("Springfield, IL 62704", "Springfield, IL 62704", "postal_address", 0.6),
    ],
)
def test_a_detector_finds_its_type_with_its_score(
    text: str, found: str, pii_type: str, score: float
) -> None:
    assert _found(text) == [(found, pii_type, score)]


@pytest.mark.parametrize(
    "text",
    [
        "not an address: ann@localhost, @example.org, ann@@example.org",
        "4111 1111 1111 1112",  # a card number with a bad Luhn digit
        "123456789012345",  # 15 digits that fail Luhn
        "DE89 3704 0044 0532 0130 01",  # an IBAN with a bad check
        "ssn 666-12-3456 or 000-12-3456",  # never-issued SSN areas
        "NI QQ 12 34 56 C",  # Q never starts a NINO
        "NIR 2 95 10 99 126 111 94",  # a NIR whose key is wrong
        "DNI 12345678A",  # the wrong DNI letter
        "CF RSSMRA85T10A562X",  # the wrong control letter
        "version 1.2.3.4 and v10.0.0.1",  # versions written like addresses
        "1.2.3 and 10.0.0.256 and 3.14159",  # not four parts, or out of range
        "at 2024-05-01 10:30:00 the price was 1299",  # dates, times, prices
        "order 1234567890 shipped",  # a US-shaped number that is not a valid phone
        "the word Street alone, and Mr smith",  # no number before the street, no capital
    ],
)
def test_near_misses_are_not_pii(text: str) -> None:
    assert _found(text) == []


@pytest.mark.parametrize(
    ("key", "value", "pii_type", "score"),
    [
        ("email", "ann@example.org", "email", 1.0),
        ("phone", "+44 20 7946 0958", "phone", 0.95),
        ("bsn", "111222333", "nl_bsn", 0.7),
        ("steuer_id", "36574261809", "de_tax_id", 0.8),
        ("ssn", "536904399", "us_ssn", 0.7),
        ("client_ip", "10.1.2.3", "ip_address", 0.9),
        ("first_name", "Ann", "person_name", 0.85),
        ("shipping_name", "Ann Lee-Smith", "person_name", 0.85),
        ("surname", "O'Brien", "person_name", 0.85),
        ("address_line1", "Flat 2, 10 Downing Street", "postal_address", 0.85),
        ("street", "Hauptstraße 5", "postal_address", 0.85),
    ],
)
def test_a_key_that_names_the_type_raises_the_score(
    key: str, value: str, pii_type: str, score: float
) -> None:
    span = REGISTRY.classify(value, FieldContext(key))
    assert span is not None
    assert (span.type, span.score) == (pii_type, score)
    assert (span.start, span.end) == (0, len(value))


@pytest.mark.parametrize(
    ("key", "value", "siblings"),
    [
        ("bsn_like", "111222333", frozenset()),  # weak checksum, no key naming it
        ("app_version", "1.2.3.4", frozenset()),  # a version, not an address
        ("zip", "10115", frozenset({"sku"})),  # a postcode with no city beside it
        ("product_name", "Blue Shirt", frozenset()),  # not a person's name key
        ("first_name", "R2-D2 unit 7", frozenset()),  # digits: not a name
        ("plan", "gold", frozenset()),
    ],
)
def test_values_that_are_not_pii_by_key_or_shape(
    key: str, value: str, siblings: frozenset[str]
) -> None:
    assert REGISTRY.classify(value, FieldContext(key, siblings)) is None


def test_a_postcode_beside_a_city_is_an_address() -> None:
    span = REGISTRY.classify("10115", FieldContext("zip", frozenset({"city", "zip"})))
    assert span is not None
    assert span.type == "postal_address"


@pytest.mark.parametrize(
    ("key", "normalised"),
    [("firstName", "first_name"), ("First-Name", "first_name"), ("ip", "ip"), ("a.b c", "a_b_c")],
)
def test_keys_are_normalised_before_matching(key: str, normalised: str) -> None:
    assert normalise_key(key) == normalised


def test_spans_inside_free_text_classify_the_value() -> None:
    span = REGISTRY.classify("please call me on +44 20 7946 0958", FieldContext("note"))
    assert span is not None
    assert span.type == "phone"


def test_the_registry_holds_every_family_by_name() -> None:
    assert {"email", "phone", "card_number", "iban", "ip_address"} <= set(DETECTORS)
    assert {"us_ssn", "uk_nino", "de_tax_id", "fr_nir", "nl_bsn", "es_dni"} <= set(DETECTORS)
    assert {"it_fiscal_code", "person_name", "postal_address"} <= set(DETECTORS)
