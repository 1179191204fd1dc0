"""The detector registry: every PII detector by name, and the set one configuration chooses."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from strongroom.collect.detectors.banking import IbanDetector
from strongroom.collect.detectors.base import (
    NO_CONTEXT,
    FieldContext,
    PiiDetector,
    Shape,
    ShapeKey,
    Span,
    is_plain_key,
    shape_key,
)
from strongroom.collect.detectors.cards import CardNumberDetector
from strongroom.collect.detectors.contextual import PersonNameDetector, PostalAddressDetector
from strongroom.collect.detectors.email import EmailDetector
from strongroom.collect.detectors.national import (
    DeTaxIdDetector,
    EsDniDetector,
    FrNirDetector,
    ItFiscalCodeDetector,
    NlBsnDetector,
    UkNinoDetector,
    UsSsnDetector,
)
from strongroom.collect.detectors.network import IpAddressDetector
from strongroom.collect.detectors.phone import PhoneDetector
from strongroom.core.errors import ConfigurationError

DETECTORS: dict[str, type[PiiDetector]] = {
    detector.name: detector
    for detector in (
        EmailDetector,
        PhoneDetector,
        CardNumberDetector,
        IbanDetector,
        UsSsnDetector,
        UkNinoDetector,
        DeTaxIdDetector,
        FrNirDetector,
        NlBsnDetector,
        EsDniDetector,
        ItFiscalCodeDetector,
        IpAddressDetector,
        PersonNameDetector,
        PostalAddressDetector,
    )
}
# A span at or above this score is PII: an unknown field holding one is protected as PII.
PII_THRESHOLD = 0.5


def resolve_overlaps(spans: Iterable[Span]) -> list[Span]:
    """One span per stretch of text: the surest, then the longest, wins where spans overlap."""
    kept: list[Span] = []
    for span in sorted(spans, key=lambda s: (-s.score, -(s.end - s.start), s.start, s.type)):
        if all(span.end <= other.start or span.start >= other.end for other in kept):
            kept.append(span)
    return sorted(kept)


_REMEMBERED_KEYS = 4096
_NAMED_GROUP = re.compile(r"\(\?P<\w+>")
_BACKREFERENCE = re.compile(r"\\[1-9]|\(\?P=")  # group numbers change in an alternation


def _searches_patterns(detector: PiiDetector) -> bool:
    """Whether ``detector`` finds candidates by its ``PATTERNS`` alone (not by a parser)."""
    return bool(detector.PATTERNS) and type(detector).candidates is PiiDetector.candidates


@dataclass(frozen=True, slots=True)
class _Screen:
    """For one shape of text: the detectors that fit it, and one search that rules most out.

    ``gate`` is every fitting detector's patterns in one alternation: a text in which it finds
    nothing holds no candidate of any of them, so only the ``unpatterned`` detectors (parsers
    such as ``phone``) need to look at it.
    """

    detectors: tuple[PiiDetector, ...]
    unpatterned: tuple[PiiDetector, ...]
    gate: re.Pattern[str] | None

    @classmethod
    def of(cls, fitting: tuple[PiiDetector, ...]) -> _Screen:
        patterned = [detector for detector in fitting if _searches_patterns(detector)]
        patterns = [pattern for detector in patterned for pattern in detector.PATTERNS]
        gate = None
        if patterns:
            alternatives = (_scoped(pattern.regex, pattern.flags) for pattern in patterns)
            gate = re.compile("|".join(alternatives))
        unpatterned = tuple(detector for detector in fitting if detector not in patterned)
        return cls(fitting, unpatterned, gate)


def _scoped(regex: str, flags: int) -> str:
    """``regex`` as one alternative among others: group names dropped, its flags kept to it."""
    inline = "".join(
        letter for flag, letter in ((re.I, "i"), (re.M, "m"), (re.S, "s")) if flags & flag
    )
    if flags & ~(re.I | re.M | re.S) or _BACKREFERENCE.search(regex):
        raise ValueError(f"a detector pattern cannot be joined to others: {regex!r}")
    body = _NAMED_GROUP.sub("(?:", regex)
    return f"(?{inline}:{body})" if inline else f"(?:{body})"


class DetectorRegistry:
    """The detectors in use; finds PII in text and classifies whole values.

    A text is measured once (its ``Shape``: length, digits, "@", spaces, dots, colons, capitals)
    and only the detectors that fit that shape search it; most values need none. Which detectors
    fit a shape is remembered (shapes are few), and only the detectors that judge a value by its
    key alone (names, addresses) are asked about a key.
    """

    def __init__(
        self, detectors: Sequence[PiiDetector] | None = None, *, threshold: float = PII_THRESHOLD
    ) -> None:
        # Built here, not at import: a registry made without detectors gets every one.
        self.detectors = tuple(detectors) if detectors is not None else _every_detector()
        self.threshold = threshold
        self._screens: dict[ShapeKey, _Screen] = {}  # shapes are few: their counts are clamped
        self._by_fitting: dict[tuple[PiiDetector, ...], _Screen] = {}
        self._keyed: dict[str | None, tuple[PiiDetector, ...]] = {}
        self._by_key = tuple(
            detector
            for detector in self.detectors
            if type(detector).judges_by_key is not PiiDetector.judges_by_key
        )

    def __repr__(self) -> str:
        return f"DetectorRegistry({', '.join(self.names)}; threshold {self.threshold})"

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(detector.name for detector in self.detectors)

    def fitting(self, text: str) -> tuple[PiiDetector, ...]:
        """The detectors that may find something in ``text`` (in registry order)."""
        key = shape_key(text)
        screen = self._screens.get(key)
        if screen is None:
            shape = Shape(*key)
            fitting = tuple(detector for detector in self.detectors if detector.fits(shape))
            if fitting not in self._by_fitting:  # many shapes share a few sets of detectors
                self._by_fitting[fitting] = _Screen.of(fitting)
            screen = self._screens[key] = self._by_fitting[fitting]
        if screen.gate is not None and screen.gate.search(text) is None:
            return screen.unpatterned  # no pattern matches: only the parsers (phone) may
        return screen.detectors

    def detect(self, text: str) -> list[Span]:
        """Every PII span in ``text`` at or above the threshold, overlaps resolved."""
        found = [
            span
            for detector in self.fitting(text)
            for span in detector.find(text)
            if span.score >= self.threshold
        ]
        return resolve_overlaps(found) if found else found

    def finds(self, text: str, pii_type: str) -> bool:
        """Whether a detector of ``pii_type`` may find something in ``text`` (False: surely not)."""
        return any(detector.pii_type == pii_type for detector in self.fitting(text))

    def _judging_by(self, key: str | None) -> tuple[PiiDetector, ...]:
        """The detectors that judge a value under ``key`` by the key alone (remembered)."""
        keyed = tuple(detector for detector in self._by_key if detector.judges_by_key(key))
        if len(self._keyed) < _REMEMBERED_KEYS and (key is None or is_plain_key(key)):
            self._keyed[key] = keyed
        return keyed

    def classify(self, value: str, context: FieldContext = NO_CONTEXT) -> Span | None:
        """The surest detector's span if the whole of ``value`` is PII; else the first in it."""
        fitting = self.fitting(value)
        keyed = self._keyed.get(context.key)
        if keyed is None:
            keyed = self._judging_by(context.key)
        if not fitting and not keyed:
            return None  # the common case: no detector could find anything here
        found = {detector: detector.find(value) for detector in fitting}
        whole = [
            detector.classify(value, context, found.get(detector, []))
            for detector in self.detectors
            if found.get(detector) or detector in keyed
        ]
        scored = [span for span in whole if span is not None and span.score >= self.threshold]
        if scored:
            return max(scored, key=lambda span: span.score)
        # Spans covering the whole value were judged above, with the key; these lie inside it.
        bounds = (len(value) - len(value.lstrip()), len(value.rstrip()))
        candidates = [s for spans in found.values() for s in spans if s.score >= self.threshold]
        if not candidates:
            return None
        inside = [s for s in resolve_overlaps(candidates) if (s.start, s.end) != bounds]
        return max(inside, key=lambda span: span.score) if inside else None


def _every_detector() -> tuple[PiiDetector, ...]:
    return tuple(detector() for detector in DETECTORS.values())


def build_registry(
    names: Iterable[str] | None = None, *, threshold: float = PII_THRESHOLD
) -> DetectorRegistry:
    """The registry of the named detectors (all when ``names`` is None); unknown names refused."""
    if names is None:
        return DetectorRegistry(threshold=threshold)
    chosen = list(names)
    unknown = sorted(set(chosen) - set(DETECTORS))
    if unknown:
        raise ConfigurationError(
            f"unknown PII detector(s) {', '.join(unknown)}; choose from {', '.join(DETECTORS)}"
        )
    return DetectorRegistry([DETECTORS[name]() for name in chosen], threshold=threshold)
