"""The base of every PII detector: class-level patterns, a validate hook, spans with scores.

A detector is a small class (Presidio's recognizers are the model): a ``name``, the ``pii_type``
it finds, class-level ``PATTERNS`` (a regular expression and a base score each), a ``validate``
hook that checks a candidate (a checksum, a parser) and may change its score or reject it, and the
key names (``CONTEXT_KEYS``) that make a value under that key more likely to be of its type.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import ClassVar, NamedTuple, TypeVar

MAX_SCORE = 1.0
_T = TypeVar("_T")


@dataclass(frozen=True, slots=True, order=True)
class Span:
    """Where a piece of PII lies in a text: ``text[start:end]``, its type, how sure we are."""

    start: int
    end: int
    type: str
    score: float

    def as_json(self) -> dict[str, int | str | float]:
        return {"start": self.start, "end": self.end, "type": self.type, "score": self.score}


@dataclass(frozen=True, slots=True)
class Pattern:
    """A candidate pattern; with a group named ``pii``, only that group is the span."""

    name: str
    regex: str
    score: float
    flags: int = 0


@dataclass(frozen=True, slots=True)
class FieldContext:
    """Where a value was found: its key (normalised) and the keys beside it in the same object."""

    key: str | None = None
    siblings: frozenset[str] = frozenset()


NO_CONTEXT = FieldContext()


def key_context(key: str) -> FieldContext:
    """The context of a value found right under ``key`` (no keys beside it)."""
    context = _CONTEXTS.get(key)
    if context is None:
        context = FieldContext(normalise_key(key))
        _remember(_CONTEXTS, key, context)
    return context


_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_SEPARATORS = re.compile(r"[\s\-.]+")
_CACHED_KEY_DIGITS = 6  # keys with more digits may be personal data: not kept in the cache


def normalise_key(key: str) -> str:
    """``firstName``, ``First-Name`` and ``first name`` all become ``first_name``."""
    normalised = _NORMALISED.get(key)
    if normalised is None:
        normalised = _SEPARATORS.sub("_", _CAMEL.sub("_", key.strip())).lower()
        _remember(_NORMALISED, key, normalised)
    return normalised


# The same few keys arrive in every event: what is worked out from a key is remembered, for
# plain identifiers only (a key with many digits, or an "@", may itself be personal data).
_CACHED_KEYS = 4096
_NORMALISED: dict[str, str] = {}
_CONTEXTS: dict[str, FieldContext] = {}


def is_plain_key(key: str) -> bool:
    """An ASCII identifier with few digits: a key that cannot itself be personal data."""
    return key.isascii() and key.isidentifier() and digit_count(key) < _CACHED_KEY_DIGITS


def _remember(cache: dict[str, _T], key: str, value: _T) -> None:
    if len(cache) < _CACHED_KEYS and is_plain_key(key):
        cache[key] = value


_ASCII_DIGITS = b"0123456789"
_DIGIT = re.compile(r"\d")  # what ``\d`` in the detectors' patterns matches: any decimal digit
_CLAMP_LENGTH = 17  # longer than every detector's MIN_LENGTH: a longer text is as good as this
_CLAMP_DIGITS = 13  # more than every detector's MIN_DIGITS
_CLAMP_DOTS, _CLAMP_COLONS = 3, 2  # an IPv4 address holds three dots, an IPv6 one two colons


class Shape(NamedTuple):
    """What a text holds, measured once for every detector: a cheap pre-filter.

    Each count is clamped just above the largest requirement any detector has of it, so texts of
    the same shape share one answer to "which detectors could match this?".
    """

    length: int
    digits: int  # decimal digits, ASCII or not (as ``\d`` in the patterns matches)
    at: bool  # holds an "@"
    space: bool  # holds an ASCII space
    dots: int
    colons: int
    upper: bool  # some character changes when lower-cased: the text holds a capital


def digit_count(text: str) -> int:
    """How many decimal digits ``text`` holds (ASCII texts take the fast C path)."""
    if text.isascii():
        return len(text) - len(text.encode("ascii").translate(None, _ASCII_DIGITS))
    return len(_DIGIT.findall(text))


ShapeKey = tuple[int, int, bool, bool, int, int, bool]


def shape_key(text: str) -> ShapeKey:
    """The fields of ``text``'s ``Shape`` as a plain tuple: cheaper, for looking shapes up."""
    length = len(text)
    if text.isascii():
        digits = length - len(text.encode("ascii").translate(None, _ASCII_DIGITS))
    else:
        digits = len(_DIGIT.findall(text))
    dots = text.count(".") if "." in text else 0
    colons = text.count(":") if ":" in text else 0
    return (
        length if length < _CLAMP_LENGTH else _CLAMP_LENGTH,
        digits if digits < _CLAMP_DIGITS else _CLAMP_DIGITS,
        "@" in text,
        " " in text,
        dots if dots < _CLAMP_DOTS else _CLAMP_DOTS,
        colons if colons < _CLAMP_COLONS else _CLAMP_COLONS,
        text.lower() != text,
    )


def shape_of(text: str) -> Shape:
    """The ``Shape`` of ``text``."""
    return Shape(*shape_key(text))


@cache
def _compiled(regex: str, flags: int) -> re.Pattern[str]:
    return re.compile(regex, flags)


class PiiDetector:
    """Finds one type of PII in text, and says whether a whole value is of that type."""

    name: ClassVar[str]
    pii_type: ClassVar[str]
    PATTERNS: ClassVar[tuple[Pattern, ...]] = ()
    CONTEXT_KEYS: ClassVar[frozenset[str]] = frozenset()
    CONTEXT_BOOST: ClassVar[float] = 0.2
    # The pre-filter: what every match of this type holds, so a text without it is not searched.
    # Each must hold of every span ``find`` could return (tests/unit/collect/detectors check it).
    MIN_DIGITS: ClassVar[int] = 0  # decimal digits
    MIN_LENGTH: ClassVar[int] = 1  # characters
    NEEDS_AT: ClassVar[bool] = False  # every match holds an "@"
    NEEDS_SPACE: ClassVar[bool] = False  # every match holds an ASCII space
    NEEDS_UPPER: ClassVar[bool] = False  # every match holds a capital (that lower() changes)

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"

    def fits(self, shape: Shape) -> bool:
        """False when a text of this ``shape`` cannot hold this type; True when it may."""
        if (self.NEEDS_AT and not shape.at) or (self.NEEDS_SPACE and not shape.space):
            return False
        if self.NEEDS_UPPER and not shape.upper:
            return False
        return shape.digits >= self.MIN_DIGITS and shape.length >= self.MIN_LENGTH

    def may_hold(self, text: str) -> bool:
        """A cheap test: False when ``text`` cannot hold this type (too few digits, ...)."""
        return self.fits(shape_of(text))

    def judges_by_key(self, key: str | None) -> bool:
        """Whether ``classify`` may find a value of this type by its key alone, with no span."""
        return False

    def validate(self, text: str, start: int, end: int, score: float) -> float | None:
        """The score of the candidate ``text[start:end]``, or None to reject it."""
        return score

    def candidates(self, text: str) -> Iterable[tuple[int, int, float]]:
        """(start, end, base score) of every pattern match; override for non-regex detectors."""
        for pattern in self.PATTERNS:
            for match in _compiled(pattern.regex, pattern.flags).finditer(text):
                group = "pii" if "pii" in match.re.groupindex else 0
                yield match.start(group), match.end(group), pattern.score

    def detect(self, text: str) -> list[Span]:
        """Every span of this detector's type in ``text``, validated and scored."""
        return self.find(text) if self.may_hold(text) else []

    def find(self, text: str) -> list[Span]:
        """``detect`` without the pre-filter: every pattern searched, every candidate checked."""
        spans: set[Span] = set()
        for start, end, base in self.candidates(text):
            score = self.validate(text, start, end, base)
            if score is not None and score > 0:
                spans.add(Span(start, end, self.pii_type, round(min(score, MAX_SCORE), 2)))
        return sorted(spans)

    def classify(
        self, value: str, context: FieldContext = NO_CONTEXT, spans: list[Span] | None = None
    ) -> Span | None:
        """The span if the whole of ``value`` (trimmed) is of this type, boosted by its key.

        ``spans`` are this detector's spans in ``value`` when the caller has them already.
        """
        start = len(value) - len(value.lstrip())
        end = len(value.rstrip())
        found = self.detect(value) if spans is None else spans
        whole = [s for s in found if s.start == start and s.end == end]
        if not whole:
            return None
        best = max(whole, key=lambda span: span.score)
        boost = self.CONTEXT_BOOST if context.key in self.CONTEXT_KEYS else 0.0
        return Span(best.start, best.end, best.type, round(min(best.score + boost, MAX_SCORE), 2))
