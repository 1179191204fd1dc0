"""Card numbers in tracking calls: found, checked, and taken out before anything is stored.

A card number may come in a call's properties as ``card_number`` or ``cardNumber``, at the top
level or inside a ``payment`` object. It is checked (digits, length, Luhn) with the rest of the
batch, so a bad one refuses the whole request; the stored properties never hold it, only its
token, last four digits and brand. Card verification codes are dropped and never stored at all.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from strongroom.collect.segment import SegmentMessage
from strongroom.core.errors import InvalidInputError
from strongroom.core.models import JsonObject
from strongroom.vault.cards import CardNumber, parse_card_number
from strongroom.vault.tokenization import CardToken

PAYMENT_OBJECT = "payment"
CARD_NUMBER_NAMES = ("card_number", "cardNumber")
CARD_NUMBER_PATHS: tuple[tuple[str, ...], ...] = (
    *((name,) for name in CARD_NUMBER_NAMES),
    *((PAYMENT_OBJECT, name) for name in CARD_NUMBER_NAMES),
)
VERIFICATION_CODE_NAMES = frozenset(
    {"cvv", "cvc", "cvv2", "cvc2", "card_cvv", "card_cvc", "cardCvv", "cardCvc"}
    | {"security_code", "securityCode", "card_security_code"}
)
_DROPPED = frozenset(CARD_NUMBER_NAMES) | VERIFICATION_CODE_NAMES
# The calls whose properties are stored, and so the only ones a card number could reach storage in.
STORED_PROPERTY_TYPES = frozenset({"track", "page", "screen"})
TOKEN_PROPERTIES = ("card_token", "card_last4", "card_brand")


def card_in(message: SegmentMessage, *, where: str) -> CardNumber | None:
    """The card number a call carries, checked; None if it carries none.

    Raises InvalidInputError naming where the bad number was and why, never echoing it.
    """
    if message.type not in STORED_PROPERTY_TYPES:
        return None
    found: set[CardNumber] = set()
    for path in CARD_NUMBER_PATHS:
        value = _at(message.properties, path)
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        try:
            found.add(parse_card_number(value))
        except InvalidInputError as error:
            place = ".".join(path)
            raise InvalidInputError(f"{where}.properties.{place}: {error.message}") from None
    if len(found) > 1:
        raise InvalidInputError(
            f"{where}.properties: two different card numbers in one call; send one"
        )
    return found.pop() if found else None


def without_card_data(properties: Mapping[str, Any], card: CardToken | None) -> JsonObject:
    """The properties to store: card numbers and verification codes removed, the token added."""
    kept: JsonObject = {name: value for name, value in properties.items() if name not in _DROPPED}
    payment = kept.get(PAYMENT_OBJECT)
    if isinstance(payment, dict):
        kept[PAYMENT_OBJECT] = {
            name: value for name, value in payment.items() if name not in _DROPPED
        }
    if card is not None:
        kept.update(zip(TOKEN_PROPERTIES, (card.token, card.last4, card.brand), strict=True))
    return kept


def _at(properties: Mapping[str, Any], path: tuple[str, ...]) -> Any:
    value: Any = properties
    for name in path:
        if not isinstance(value, Mapping):
            return None
        value = value.get(name)
    return value
