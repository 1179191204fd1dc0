"""Telephone numbers, found and checked by ``phonenumbers`` (Google's libphonenumber)."""

from __future__ import annotations

from collections.abc import Iterable

import phonenumbers

from strongroom.collect.detectors.base import PiiDetector, digit_count

# Numbers without a country code are read as numbers of these regions.
DEFAULT_REGIONS = ("US", "GB", "DE")
_INTERNATIONAL_SCORE = 0.75
_NATIONAL_SCORE = 0.5


class PhoneDetector(PiiDetector):
    """A number libphonenumber finds valid: with a ``+`` country code, or national in a region."""

    name = "phone"
    pii_type = "phone"
    CONTEXT_KEYS = frozenset(
        {"phone", "phone_number", "telephone", "tel", "mobile", "mobile_phone", "cell", "fax"}
    )
    CONTEXT_BOOST = 0.2
    # Numbers with fewer digits (some service numbers libphonenumber finds valid, such as
    # German 01640) are not taken for a person's number: none is found in a text with fewer.
    MIN_DIGITS = 7

    def __init__(self, regions: tuple[str, ...] = DEFAULT_REGIONS) -> None:
        self._regions = regions

    def candidates(self, text: str) -> Iterable[tuple[int, int, float]]:
        for region in self._regions:
            matcher = phonenumbers.PhoneNumberMatcher(
                text, region, leniency=phonenumbers.Leniency.VALID
            )
            for match in matcher:
                if digit_count(match.raw_string) < self.MIN_DIGITS:
                    continue
                international = match.raw_string.lstrip().startswith(("+", "00"))
                score = _INTERNATIONAL_SCORE if international else _NATIONAL_SCORE
                yield match.start, match.end, score
