"""Card numbers (PANs): how one is checked, which brand it is, and what its token looks like.

Pure rules, no keys and no storage: ``vault.tokenization`` keeps the numbers themselves. A card
number is held in a ``CardNumber`` whose ``repr`` shows only the brand and last four digits, so a
number never lands in a log or a traceback by accident; error messages here never echo one.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field

from strongroom.core.errors import InvalidInputError

MIN_DIGITS = 12
MAX_DIGITS = 19
TOKEN_PREFIX = "tok_"  # noqa: S105 (a public marker, not a secret)
_TOKEN_RANDOM_BYTES = 24  # 192 bits: unguessable, and 32 urlsafe characters after the prefix
_TOKEN_PATTERN = re.compile(r"tok_[A-Za-z0-9_-]{32}")
_DIGITS = frozenset("0123456789")  # not str.isdigit(): that also accepts other scripts' digits
_SEPARATORS = frozenset(" -")
UNKNOWN_BRAND = "unknown"


@dataclass(frozen=True, slots=True)
class _Range:
    """Card numbers whose first ``len(str(low))`` digits lie in low..high, of these lengths."""

    low: int
    high: int
    lengths: range

    def matches(self, digits: str) -> bool:
        prefix = int(digits[: len(str(self.low))])
        return self.low <= prefix <= self.high and len(digits) in self.lengths


# Issuer identification number ranges, checked in order. Co-branded ranges go to the network that
# issues the card: 622126-622925 are UnionPay cards (Discover only accepts them), Diners cards
# starting 54 or 55 are Mastercards.
BRAND_RANGES: tuple[tuple[str, tuple[_Range, ...]], ...] = (
    ("amex", (_Range(34, 34, range(15, 16)), _Range(37, 37, range(15, 16)))),
    ("visa", (_Range(4, 4, range(13, 20, 3)),)),  # 13, 16 or 19 digits
    ("mastercard", (_Range(51, 55, range(16, 17)), _Range(2221, 2720, range(16, 17)))),
    (
        "discover",
        (
            _Range(6011, 6011, range(16, 20)),
            _Range(644, 649, range(16, 20)),
            _Range(65, 65, range(16, 20)),
        ),
    ),
    ("jcb", (_Range(3528, 3589, range(16, 20)),)),
    (
        "diners",
        (
            _Range(300, 305, range(14, 20)),
            _Range(3095, 3095, range(14, 20)),
            _Range(36, 36, range(14, 20)),
            _Range(38, 39, range(14, 20)),
        ),
    ),
    ("unionpay", (_Range(62, 62, range(16, 20)), _Range(8100, 8171, range(16, 20)))),
)
BRANDS: tuple[str, ...] = (*(name for name, _ in BRAND_RANGES), UNKNOWN_BRAND)


@dataclass(frozen=True, slots=True)
class CardNumber:
    """A checked card number: digits only, 12 to 19 of them, with a valid Luhn check digit."""

    digits: str = field(repr=False)

    def __post_init__(self) -> None:
        if not (set(self.digits) <= _DIGITS and MIN_DIGITS <= len(self.digits) <= MAX_DIGITS):
            raise InvalidInputError(
                f"a card number has {MIN_DIGITS} to {MAX_DIGITS} digits and nothing else"
            )
        if not luhn_valid(self.digits):
            raise InvalidInputError(_LUHN_FAILED)

    @property
    def brand(self) -> str:
        return card_brand(self.digits)

    @property
    def last4(self) -> str:
        return self.digits[-4:]

    def __repr__(self) -> str:
        return f"CardNumber({self.brand} ending {self.last4})"

    __str__ = __repr__


_LUHN_FAILED = (
    "the card number fails its check digit (Luhn): it was mistyped or is not a card number; "
    "send the number exactly as on the card"
)


def luhn_valid(digits: str) -> bool:
    """Whether a string of ASCII digits passes the Luhn (mod 10) check."""
    if not digits or not set(digits) <= _DIGITS:
        return False
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def card_brand(digits: str) -> str:
    """The card's network from its issuer identification number and length, or ``unknown``."""
    for brand, ranges in BRAND_RANGES:
        if any(card_range.matches(digits) for card_range in ranges):
            return brand
    return UNKNOWN_BRAND


def normalise_card_number(value: object) -> str:
    """The digits of a card number as sent: a string (spaces and dashes allowed) or an integer.

    Raises InvalidInputError saying what is wrong, never echoing the value.
    """
    if isinstance(value, bool) or not isinstance(value, str | int) or _negative(value):
        raise InvalidInputError("a card number must be a string of digits")
    text = str(value).strip()
    if not set(text) <= _DIGITS | _SEPARATORS:
        raise InvalidInputError(
            "a card number may hold only digits, spaces and dashes; send the number as on the card"
        )
    digits = "".join(char for char in text if char in _DIGITS)
    if not MIN_DIGITS <= len(digits) <= MAX_DIGITS:
        raise InvalidInputError(
            f"a card number has {MIN_DIGITS} to {MAX_DIGITS} digits, this one {len(digits)}; "
            "send the whole number"
        )
    return digits


def _negative(value: str | int) -> bool:
    return isinstance(value, int) and value < 0


def parse_card_number(value: object) -> CardNumber:
    """A checked ``CardNumber`` from what a client sent; InvalidInputError if it is not one."""
    return CardNumber(normalise_card_number(value))


def last4(digits: str) -> str:
    """The last four digits: all of a card number that may be shown or kept in the clear."""
    return digits[-4:]


def new_card_token() -> str:
    """A fresh random token such as ``tok_3q...``: never derived from the number it stands for.

    It holds letters and a prefix, so it can never be mistaken for (or pass a check as) a card
    number, and being random it says nothing of the card.
    """
    return f"{TOKEN_PREFIX}{secrets.token_urlsafe(_TOKEN_RANDOM_BYTES)}"


def is_card_token(value: str) -> bool:
    """Whether ``value`` has the shape of a card token (it may still be unknown)."""
    return _TOKEN_PATTERN.fullmatch(value) is not None
