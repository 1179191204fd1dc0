"""The rules for fields the declared schema does not know: PII, behavioral, or unclassified.

For a value under an unknown key, in this order:

1. a key that is not a plain identifier (``[A-Za-z_$][A-Za-z0-9_$.-]{0,63}``) or in which a
   detector finds PII (a key that is an e-mail address) makes the whole field PII;
2. booleans, floats and integers of up to 8 digits are behavioral; longer integers go through
   the detectors (card numbers, national ids are sent as numbers too);
3. a string in which a detector finds PII at or above the threshold is PII;
4. any other string of at most ``MAX_TOKEN_LENGTH`` characters with no whitespace is behavioral
   (an enumerated value, an id, a slug); every other string is free text we cannot classify,
   so it is unclassified and sealed as if PII;
5. objects and lists are judged leaf by leaf, each leaf with its own key and the keys beside it;
   the field takes its most sensitive leaf's class.

Card numbers found by the detectors inside such values are cut out before anything is stored,
sealed or not: card numbers are kept in the card vault only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from strongroom.collect.detectors.base import (
    FieldContext,
    digit_count,
    is_plain_key,
    key_context,
    normalise_key,
)
from strongroom.collect.detectors.registry import DetectorRegistry
from strongroom.core.models import JsonValue
from strongroom.core.schema import DataClass

MAX_TOKEN_LENGTH = 64
MAX_PLAIN_DIGITS = 8
_PLAIN_LIMIT = 10**MAX_PLAIN_DIGITS
CARD_REMOVED = "[card number removed]"
_SAFE_KEY = re.compile(r"[A-Za-z_$][A-Za-z0-9_$.\-]{0,63}")
_WHITESPACE = re.compile(r"\s")
_MIN_KEY_PII_DIGITS = 6
_REMEMBERED_KEYS = 4096
_SAFE_KEYS: set[str] = set()  # keys found safe by their shape alone, whatever the registry
# From least to most sensitive: a field takes the class of its most sensitive part.
_RANK = {
    DataClass.BEHAVIORAL: 0,
    DataClass.DEMOGRAPHIC: 1,
    DataClass.TRANSACTIONAL: 1,
    DataClass.PAYMENT: 2,
    DataClass.UNCLASSIFIED: 3,
    DataClass.PII: 4,
}


@dataclass(frozen=True, slots=True)
class Judgement:
    """A value's class, the PII type found (if any), and the value as it may be stored."""

    data_class: DataClass
    value: JsonValue
    pii_type: str | None = None


def most_sensitive(classes: list[DataClass]) -> DataClass:
    """The most sensitive of ``classes`` (behavioral if there are none)."""
    return max(classes, key=_RANK.__getitem__, default=DataClass.BEHAVIORAL)


def key_is_safe(key: str, registry: DetectorRegistry) -> bool:
    """Whether a key may be stored (and shown in the catalog) as it is."""
    if key in _SAFE_KEYS:
        return True
    if len(_SAFE_KEYS) < _REMEMBERED_KEYS and _SAFE_KEY.fullmatch(key) and is_plain_key(key):
        _SAFE_KEYS.add(key)  # a plain identifier (few digits): safe whatever the detectors
        return True
    if _SAFE_KEY.fullmatch(key) is None:
        return False
    # A plain identifier holds no "@" or space: only digit-based PII could hide in it.
    return digit_count(key) < _MIN_KEY_PII_DIGITS or not registry.detect(key)


def judge_field(
    key: str, value: Any, registry: DetectorRegistry, *, safe: bool = True
) -> Judgement:
    """The class of an unknown field ``key: value`` by the rules above.

    ``safe`` is False when the caller has found the key unsafe (``key_is_safe``) already; when it
    is True the key is checked here.
    """
    judgement = judge_value(value, registry, key_context(key))
    if not safe or not key_is_safe(key, registry):
        return Judgement(DataClass.PII, judgement.value, judgement.pii_type or "key")
    return judgement


def judge_value(value: Any, registry: DetectorRegistry, context: FieldContext) -> Judgement:
    """The class of one value found under ``context``'s key."""
    kind = type(value)
    if kind is str:  # the common case first
        return _judge_text(value, registry, context)
    if kind is bool or kind is float or value is None:
        return Judgement(DataClass.BEHAVIORAL, value)
    if kind is int:
        return _judge_number(value, registry, context)
    return _judge_other(value, registry, context)


def _judge_other(value: Any, registry: DetectorRegistry, context: FieldContext) -> Judgement:
    """Objects, lists, and subclasses of the plain types (an ``IntEnum``, a ``str`` subclass)."""
    if isinstance(value, dict):
        return _judge_object(value, registry)
    if isinstance(value, list):
        parts = [judge_value(item, registry, context) for item in value]
        return _combine(parts, [part.value for part in parts])
    if isinstance(value, bool | float):
        return Judgement(DataClass.BEHAVIORAL, value)
    if isinstance(value, int):
        return _judge_number(value, registry, context)
    return _judge_text(str(value), registry, context)


def _judge_number(value: int, registry: DetectorRegistry, context: FieldContext) -> Judgement:
    found = None
    if not -_PLAIN_LIMIT < value < _PLAIN_LIMIT:  # more than MAX_PLAIN_DIGITS digits
        found = registry.classify(str(value), context)
    if found is None:
        return Judgement(DataClass.BEHAVIORAL, value)
    kept: JsonValue = CARD_REMOVED if found.type == "card_number" else value
    return Judgement(DataClass.PII, kept, found.type)


def _judge_text(text: str, registry: DetectorRegistry, context: FieldContext) -> Judgement:
    found = registry.classify(text, context)
    if found is not None:
        return Judgement(DataClass.PII, without_cards(text, registry), found.type)
    if len(text) <= MAX_TOKEN_LENGTH and not _WHITESPACE.search(text):
        return Judgement(DataClass.BEHAVIORAL, text)
    return Judgement(DataClass.UNCLASSIFIED, text)


def _judge_object(value: dict[str, Any], registry: DetectorRegistry) -> Judgement:
    siblings = frozenset([normalise_key(str(key)) for key in value])
    parts: list[Judgement] = []
    kept: dict[str, JsonValue] = {}
    for key, item in value.items():
        context = FieldContext(normalise_key(str(key)), siblings)
        part = judge_value(item, registry, context)
        if not key_is_safe(str(key), registry):
            part = Judgement(DataClass.PII, part.value, part.pii_type or "key")
        parts.append(part)
        kept[str(key)] = part.value
    return _combine(parts, kept)


def _combine(parts: list[Judgement], kept: JsonValue) -> Judgement:
    worst = max(parts, key=lambda part: _RANK[part.data_class], default=None)
    if worst is None:
        return Judgement(DataClass.BEHAVIORAL, kept)
    return Judgement(worst.data_class, kept, worst.pii_type)


def without_cards(text: str, registry: DetectorRegistry) -> str:
    """``text`` with every card number the detectors find in it replaced by a marker."""
    if not registry.finds(text, "card_number"):
        return text
    cards = [span for span in registry.detect(text) if span.type == "card_number"]
    for span in reversed(cards):
        text = f"{text[: span.start]}{CARD_REMOVED}{text[span.end :]}"
    return text
