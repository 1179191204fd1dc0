"""Person names and postal addresses: known by the key they come under, or by words around them.

No checksum tells a name from any other word, so a value is a name because of its key
(``first_name``, ``shipping_name``...) or, in free text, because of the words before it ("my name
is", "Mr."). An address is a street line, or a postcode beside a city (in text, or as keys of one
object: a ``zip`` next to a ``city``).
"""

from __future__ import annotations

import re

from strongroom.collect.detectors.base import NO_CONTEXT, FieldContext, Pattern, PiiDetector, Span

_KEY_SCORE = 0.85
_MAX_NAME_LENGTH = 100
_MAX_NAME_WORDS = 5
_NAME_VALUE = re.compile(r"[^\W\d_]+(?:[ '\-.]+[^\W\d_]+)*\.?")
_PERSON_KEY_PREFIXES = frozenset(
    {"first", "last", "full", "given", "family", "middle", "maiden", "customer", "contact"}
    | {"billing", "shipping", "recipient", "cardholder", "card_holder", "sender", "person"}
    | {"account_holder", "legal", "display", "user", "nick"}
)
# Latin-1 letters only: not the multiplication and division signs between them (U+00D7, U+00F7).
_UPPER, _LOWER = "A-ZÀ-ÖØ-Ý", "a-zà-öø-ÿ"
_CAPITALISED = rf"[{_UPPER}][{_LOWER}]+(?:[ \-][{_UPPER}][{_LOWER}]+){{0,2}}"


def _whole(value: str, pii_type: str, score: float) -> Span:
    start = len(value) - len(value.lstrip())
    return Span(start, len(value.rstrip()), pii_type, score)


def is_person_key(key: str) -> bool:
    """Whether a (normalised) key names a person: ``first_name``, ``surname``, ``billing_name``."""
    if key in {"surname", "forename", "firstname", "lastname", "fullname", "given_names"}:
        return True
    prefix, _, last = key.rpartition("_")
    return last == "name" and prefix in _PERSON_KEY_PREFIXES


class PersonNameDetector(PiiDetector):
    """A short run of words under a person's key, or after "my name is" / a title in text."""

    name = "person_name"
    pii_type = "person_name"
    NEEDS_SPACE = True  # the text patterns all span words
    NEEDS_UPPER = True  # and hold a capitalised name
    MIN_LENGTH = 5  # Mr Al
    PATTERNS = (
        Pattern("introduced", rf"\b(?:[Mm]y name is|I am|I'm) (?P<pii>{_CAPITALISED})", 0.6),
        Pattern("titled", rf"\b(?:Mr|Mrs|Ms|Miss|Mx|Dr)\.? (?P<pii>{_CAPITALISED})", 0.6),
    )

    def judges_by_key(self, key: str | None) -> bool:
        return key is not None and is_person_key(key)

    def classify(
        self, value: str, context: FieldContext = NO_CONTEXT, spans: list[Span] | None = None
    ) -> Span | None:
        if context.key is None or not is_person_key(context.key):
            return None
        text = value.strip()
        if not text or len(text) > _MAX_NAME_LENGTH or len(text.split()) > _MAX_NAME_WORDS:
            return None
        return _whole(value, self.pii_type, _KEY_SCORE) if _NAME_VALUE.fullmatch(text) else None


_ADDRESS_KEYS = frozenset(
    {"street", "street_address", "address", "address_line1", "address_line_1", "address1"}
    | {"address_line2", "address_line_2", "address2", "line1", "line2", "house_number"}
    | {"shipping_address", "billing_address", "home_address", "postal_address", "strasse"}
)
_POSTCODE_KEYS = frozenset({"zip", "zipcode", "zip_code", "postcode", "post_code", "postal_code"})
_CITY_KEYS = frozenset({"city", "town", "locality", "ort", "ville", "municipality"})
_STREET_WORDS = (
    "Street|St|Road|Rd|Avenue|Ave|Lane|Ln|Boulevard|Blvd|Drive|Dr|Way|Court|Ct|Place|Pl"
    "|Terrace|Close|Crescent|Square|Sq"
)
_UK_POSTCODE = r"[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}"
_ALONE_POSTCODE_SCORE = 0.3


class PostalAddressDetector(PiiDetector):
    """A street line, or a postcode next to a city; by key, or by shape in text."""

    name = "postal_address"
    pii_type = "postal_address"
    NEEDS_SPACE = True  # the text patterns all span words
    NEEDS_UPPER = True  # and hold a capitalised street or city
    MIN_DIGITS = 1  # and a house number or a postcode
    MIN_LENGTH = 7  # 1 Ab St
    PATTERNS = (
        Pattern(
            "street", rf"\b\d{{1,5}}[a-z]? (?:[A-Z][a-z]+ ){{1,3}}(?:{_STREET_WORDS})\b\.?", 0.6
        ),
        Pattern(
            "strasse",
            r"\b[A-ZÄÖÜ][a-zäöüß]+(?:straße|strasse|weg|gasse|platz|allee) \d{1,4}[a-z]?\b",
            0.6,
        ),
        Pattern("postcode_city", r"(?<![\d-])\d{4,5} [A-ZÄÖÜ][a-zäöüßé]+(?:-[A-Z][a-z]+)?\b", 0.5),
        Pattern("uk_postcode_city", rf"\b[A-Z][a-z]+,? {_UK_POSTCODE}\b", 0.5),
        Pattern("us_city_state_zip", r"\b[A-Z][a-z]+, [A-Z]{2} \d{5}(?:-\d{4})?\b", 0.6),
    )

    def judges_by_key(self, key: str | None) -> bool:
        return key in _ADDRESS_KEYS or key in _POSTCODE_KEYS

    def classify(
        self, value: str, context: FieldContext = NO_CONTEXT, spans: list[Span] | None = None
    ) -> Span | None:
        key = context.key
        if key is None or not value.strip():
            return super().classify(value, context, spans)
        if key in _ADDRESS_KEYS:
            return _whole(value, self.pii_type, _KEY_SCORE)
        if key in _POSTCODE_KEYS:
            beside_city = bool(context.siblings & _CITY_KEYS)
            return _whole(
                value, self.pii_type, _KEY_SCORE if beside_city else _ALONE_POSTCODE_SCORE
            )
        return super().classify(value, context, spans)
