"""Bank account numbers: IBANs, checked by ``python-stdnum`` (country format and mod-97)."""

from __future__ import annotations

from stdnum import iban

from strongroom.collect.detectors.base import Pattern, PiiDetector


class IbanDetector(PiiDetector):
    """An IBAN, grouped by four or not, whose country format and check digits are valid."""

    name = "iban"
    pii_type = "iban"
    PATTERNS = (Pattern("iban", r"\b[A-Z]{2}\d{2} ?(?:[A-Z0-9]{4} ?){2,7}[A-Z0-9]{1,4}\b", 0.95),)
    CONTEXT_KEYS = frozenset({"iban", "bank_account", "account_number"})
    CONTEXT_BOOST = 0.05
    MIN_DIGITS = 2  # the check digits
    MIN_LENGTH = 13  # the country, the check digits, two groups of four and one more
    NEEDS_UPPER = True  # the country code

    def validate(self, text: str, start: int, end: int, score: float) -> float | None:
        return score if iban.is_valid(text[start:end]) else None
