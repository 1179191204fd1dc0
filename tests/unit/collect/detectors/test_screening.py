"""The fast path finds exactly what the full detector pass finds, on thousands of values.

The registry measures a text's shape once and runs only the detectors that fit it, after one
combined search of their patterns. Here every value is also given to every detector with no
pre-filter at all (``find``) and judged by the original algorithm; the answers must be equal.
The values are generated PII of every type (valid and near-miss), in many settings, and random
strings rich in digits, separators and capitals.
"""

from __future__ import annotations

import ipaddress
import random
import re
from collections.abc import Iterator
from functools import cache

import phonenumbers
import pytest
from stdnum import iban
from stdnum.de import idnr
from stdnum.es import dni
from stdnum.fr import nir
from stdnum.iso7064 import mod_11_10
from stdnum.it import codicefiscale
from stdnum.nl import bsn

from strongroom.collect.detectors.base import FieldContext, Pattern, PiiDetector, Span, shape_of
from strongroom.collect.detectors.registry import DetectorRegistry, build_registry, resolve_overlaps

REGISTRY = build_registry()
SEED = 20240611
FULLWIDTH = str.maketrans("0123456789+", "".join(chr(0xFF10 + n) for n in range(10)) + "\uff0b")
TIMES, DIVIDED = "\u00d7", "\u00f7"  # signs between the Latin-1 letters, not letters


def _luhn_completed(stem: str) -> str:
    total = 0
    for index, char in enumerate(reversed(stem)):
        digit = int(char) * (2 if index % 2 == 0 else 1)
        total += digit - 9 if digit > 9 else digit
    return stem + str((10 - total % 10) % 10)


def _digits(rng: random.Random, count: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(count))


def _valid(rng: random.Random, count: int, is_valid: object, tries: int = 500) -> str:
    for _ in range(tries):
        candidate = _digits(rng, count)
        if callable(is_valid) and is_valid(candidate):
            return candidate
    raise AssertionError("no valid number generated")


def _cards(rng: random.Random) -> Iterator[str]:
    for prefix, length in (("4", 16), ("51", 16), ("37", 15), ("6011", 16), ("35", 16), ("9", 16)):
        number = _luhn_completed(prefix + _digits(rng, length - len(prefix) - 1))
        yield number
        yield " ".join(number[i : i + 4] for i in range(0, len(number), 4))
        yield "-".join(number[i : i + 4] for i in range(0, len(number), 4))
        yield number[:-1] + str((int(number[-1]) + 1) % 10)  # a bad check digit


def _ibans(rng: random.Random) -> Iterator[str]:
    for country, bban in (("DE", _digits(rng, 18)), ("GB", "WEST" + _digits(rng, 14))):
        number = f"{country}{iban.calc_check_digits(country + '00' + bban)}{bban}"
        yield number
        yield " ".join(number[i : i + 4] for i in range(0, len(number), 4))
        yield number[:-1] + str((int(number[-1]) + 1) % 10)
    yield "QA58DOHBXXXXXXXXXXXXXXXXXXXXX"  # a country whose accounts may hold no digit at all


def _tax_id(rng: random.Random) -> str:
    """A German tax id: ten digits, one of them twice, then an ISO 7064 check digit."""
    for _ in range(500):
        digits = rng.sample("0123456789", 10)
        digits[rng.randrange(10)] = digits[rng.randrange(10)]
        stem = "".join(digits)
        number = stem + mod_11_10.calc_check_digit(stem)
        if idnr.is_valid(number):
            return number
    raise AssertionError("no valid tax id generated")


def _national(rng: random.Random) -> Iterator[str]:
    ssn = f"{rng.randint(1, 665):03d}-{rng.randint(1, 99):02d}-{rng.randint(1, 9999):04d}"
    yield from (ssn, ssn.replace("-", ""), "666" + ssn[3:])
    nino = f"{rng.choice('ABCEGH')}{rng.choice('ABCEGH')}{_digits(rng, 6)}{rng.choice('ABCD')}"
    yield from (nino, " ".join((nino[:2], nino[2:4], nino[4:6], nino[6:8], nino[8])))
    tax_id = _tax_id(rng)
    yield from (tax_id, f"{tax_id[:2]} {tax_id[2:5]} {tax_id[5:8]} {tax_id[8:]}")
    body = f"{rng.choice('12')}{_digits(rng, 2)}{rng.randint(1, 12):02d}{_digits(rng, 8)}"
    yield body + nir.calc_check_digits(body)
    yield f"{body[:5]}2A{body[7:]}"
    number = _valid(rng, 9, bsn.is_valid)
    yield from (number, f"{number[:4]}.{number[4:6]}.{number[6:]}")
    digits = _digits(rng, 8)
    yield from (digits + dni.calc_check_digit(digits), f"{digits}-{dni.calc_check_digit(digits)}")
    stem = "RSSMRA85T10A562"
    yield from (stem + codicefiscale.calc_check_digit(stem), stem + "X", "RSSMRA85T10A56NS")


def _phones(rng: random.Random) -> Iterator[str]:
    formats = (phonenumbers.PhoneNumberFormat.INTERNATIONAL, phonenumbers.PhoneNumberFormat.E164)
    for region in [*rng.sample(sorted(phonenumbers.SUPPORTED_REGIONS), 25), "US", "GB", "DE"]:
        example = phonenumbers.example_number(region)
        if example is not None:
            yield phonenumbers.format_number(example, rng.choice(formats))
            yield phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.NATIONAL)
    yield from ("(415) 555-2671", "030 1234567", "01640", "+431117", "0044 20 7946 0958")


def _addresses_and_names(rng: random.Random) -> Iterator[str]:
    yield from ("10 Downing Street", "221b Baker Street", "Hauptstraße 5", "10115 Berlin")
    yield from ("Springfield, IL 62704", "London SW1A 1AA", "my name is Ann Lee", "Dr. Émile Zola")
    yield from ("Mrs. Quarrington", "I'm Ødegaard", f"my name is {TIMES}ab", f"I am {DIVIDED}ab")


def _network(rng: random.Random) -> Iterator[str]:
    for _ in range(6):
        yield str(ipaddress.IPv4Address(rng.getrandbits(32)))
        yield ipaddress.IPv6Address(rng.getrandbits(128)).compressed
    yield from ("::", "::1", "0.0.0.0", "fe80::abcd", "cafe::bad:f00d", "a :: b", "v1.2.3.4")
    yield from ("version 10.0.0.1", "10.0.0.256", "std::vector", "10:30:00")


def _emails(rng: random.Random) -> Iterator[str]:
    yield from ("ann@example.org", "a.b+c@mail.example.co.uk", "x@y.z", "@example.org", "a@b.cc")
    yield from ("ann@@example.org", "ann..lee@example.org", "ANN@EXAMPLE.ORG")
    yield f"user{rng.randint(1, 99999)}@shop.example"


def _tokens(rng: random.Random) -> Iterator[str]:
    yield from ("SKU-TEA-01", "p-1234", "EUR", "en-GB", "2.11.1", "/p/4999", "n/a", "blue")
    yield from ("https://shop.example/p/1?email=ann@example.org", "https://shop.example/p/1")
    yield from ("123e4567-e89b-12d3-a456-426614174000", "507f1f77bcf86cd799439011", "")
    yield from ("2024-05-01 10:30:00", "Green tea, 250 g", "for my friend number 12, with love")
    yield from ("bench-order-0000123", "B07XJ8C8F5", "   ", "order 1234567890 shipped")


def _random_strings(rng: random.Random, count: int) -> Iterator[str]:
    alphabet = "0123456789" * 3 + " -.:@+()/,_ABCDEFLMXYZabcdexyzäÉ\t\u0661\u0662\uff13" + TIMES
    for _ in range(count):
        yield "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 40)))


def _settings(value: str) -> Iterator[str]:
    yield value
    yield f"ref {value}."
    yield f"x{value}y"
    yield f"call me: {value} (after 6)"
    yield value.translate(FULLWIDTH)


def generated_values() -> list[str]:
    rng = random.Random(SEED)
    families = (_cards, _ibans, _national, _phones, _addresses_and_names, _network)
    seeds = [value for family in (*families, _emails, _tokens) for value in family(rng)]
    values = [setting for value in seeds for setting in _settings(value)]
    return values + list(_random_strings(rng, 1500))


VALUES = generated_values()
CONTEXTS = [
    FieldContext(None),
    FieldContext("note"),
    FieldContext("email"),
    FieldContext("phone"),
    FieldContext("first_name"),
    FieldContext("street"),
    FieldContext("zip", frozenset({"zip", "city"})),
    FieldContext("app_version"),
    FieldContext("ssn"),
    FieldContext("bsn"),
]


Found = list[tuple[PiiDetector, list[Span]]]


def full_pass(registry: DetectorRegistry, text: str) -> Found:
    """Every detector of ``registry`` over ``text``, with no pre-filter: the reference."""
    if registry is REGISTRY:
        return _full_pass(text)
    return [(detector, detector.find(text)) for detector in registry.detectors]


@cache
def _full_pass(text: str) -> Found:
    return [(detector, detector.find(text)) for detector in REGISTRY.detectors]


def full_detect(registry: DetectorRegistry, text: str) -> list[Span]:
    found = (span for _, spans in full_pass(registry, text) for span in spans)
    return resolve_overlaps(span for span in found if span.score >= registry.threshold)


def full_classify(registry: DetectorRegistry, value: str, context: FieldContext) -> Span | None:
    """The registry's classification as first written: every detector, every span."""
    found = full_pass(registry, value)
    whole = [detector.classify(value, context, spans) for detector, spans in found]
    scored = [span for span in whole if span is not None and span.score >= registry.threshold]
    if scored:
        return max(scored, key=lambda span: span.score)
    bounds = (len(value) - len(value.lstrip()), len(value.rstrip()))
    candidates = (s for _, spans in found for s in spans if s.score >= registry.threshold)
    inside = [s for s in resolve_overlaps(candidates) if (s.start, s.end) != bounds]
    return max(inside, key=lambda span: span.score) if inside else None


def test_the_generated_values_hold_every_type_of_pii() -> None:
    found = {span.type for value in VALUES for span in full_detect(REGISTRY, value)}
    assert found == set(REGISTRY.names)  # names and addresses found in text, not only by key
    assert len(VALUES) > 2000


@pytest.mark.parametrize("detector", REGISTRY.detectors, ids=REGISTRY.names)
def test_no_detector_finds_anything_in_a_text_its_shape_rules_out(detector: PiiDetector) -> None:
    position = REGISTRY.detectors.index(detector)
    found = [value for value in VALUES if _full_pass(value)[position][1]]
    assert found, "the generated values must give every detector something to find"
    assert [value for value in found if not detector.fits(shape_of(value))] == []


def test_the_fast_detection_equals_the_full_pass() -> None:
    differ = [value for value in VALUES if REGISTRY.detect(value) != full_detect(REGISTRY, value)]
    assert differ == []


@pytest.mark.parametrize("context", CONTEXTS, ids=lambda context: str(context.key))
def test_the_fast_classification_equals_the_full_pass(context: FieldContext) -> None:
    differ = [
        value
        for value in VALUES
        if REGISTRY.classify(value, context) != full_classify(REGISTRY, value, context)
    ]
    assert differ == []


@pytest.mark.parametrize("names", [["email", "iban"], ["phone"], ["person_name", "ip_address"]])
def test_a_registry_of_some_detectors_screens_as_exactly(names: list[str]) -> None:
    registry = build_registry(names)
    note = FieldContext("note")
    for value in VALUES[::3]:
        assert registry.detect(value) == full_detect(registry, value)
        assert registry.classify(value, note) == full_classify(registry, value, note)


@pytest.mark.parametrize(
    ("text", "pii_type"),
    [
        ("+44 20 7946 0958".translate(FULLWIDTH), "phone"),  # digits not ASCII still count
        ("from fe80::abcd today", "ip_address"),  # an IPv6 address with no decimal digit
        ("4111-1111-1111-1111", "card_number"),
    ],
)
def test_values_the_old_digit_gate_missed_are_found(text: str, pii_type: str) -> None:
    assert [span.type for span in REGISTRY.detect(text)] == [pii_type]


@pytest.mark.parametrize("text", ["a :: b", "0.0.0.0", "01640", "+431117", f"I'm {TIMES}ab"])
def test_nobodys_addresses_short_service_numbers_and_signs_are_not_pii(text: str) -> None:
    assert REGISTRY.detect(text) == []


class _Shouting(PiiDetector):
    """A detector of one word in any case: its pattern's flag must survive the joined search."""

    name = "shouting"
    pii_type = "shouting"
    PATTERNS = (Pattern("secret", r"\bsecret\b", 0.9, re.IGNORECASE),)


class _Echo(PiiDetector):
    name = "echo"
    pii_type = "echo"
    PATTERNS = (Pattern("echo", r"(\w)\1", 0.9),)


def test_a_pattern_flag_is_kept_in_the_joined_search() -> None:
    registry = DetectorRegistry([_Shouting(), *build_registry(["email"]).detectors])
    assert [span.type for span in registry.detect("the SECRET is out")] == ["shouting"]


def test_a_pattern_that_cannot_be_joined_is_refused_clearly() -> None:
    with pytest.raises(ValueError, match="cannot be joined"):
        DetectorRegistry([_Echo()]).detect("aa")
