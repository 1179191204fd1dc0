"""Payment card numbers: digits (spaces or dashes between), a valid length and Luhn digit.

The checking is ``vault.cards``' (the same rules that refuse a bad ``card_number`` at ingest).
"""

from __future__ import annotations

from strongroom.collect.detectors.base import Pattern, PiiDetector
from strongroom.core.errors import InvalidInputError
from strongroom.vault.cards import UNKNOWN_BRAND, parse_card_number

_KNOWN_BRAND_SCORE = 0.9
_UNKNOWN_BRAND_SCORE = 0.4  # Luhn alone: one number in ten passes


class CardNumberDetector(PiiDetector):
    """A 12 to 19 digit number passing Luhn; surer when its prefix is a known network's."""

    name = "card_number"
    pii_type = "card_number"
    PATTERNS = (Pattern("digits", r"(?<![\d-])\d(?:[ -]?\d){11,18}(?![\d])", _KNOWN_BRAND_SCORE),)
    CONTEXT_KEYS = frozenset({"card", "card_number", "cc", "cc_number", "pan", "credit_card"})
    CONTEXT_BOOST = 0.2
    MIN_DIGITS = 12

    def validate(self, text: str, start: int, end: int, score: float) -> float | None:
        try:
            card = parse_card_number(text[start:end])
        except InvalidInputError:
            return None
        return score if card.brand != UNKNOWN_BRAND else _UNKNOWN_BRAND_SCORE
