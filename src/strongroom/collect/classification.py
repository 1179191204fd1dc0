"""Classification of every field: the declared schema first, the detectors and rules for the rest.

Traits: known fields by ``CUSTOMER_FIELDS`` (PII encrypted under the customer's key, demographics
plain); unknown traits are judged by ``collect.rules`` and kept encrypted together as extras.
Events: known properties and context fields by ``EVENT_PROPERTIES`` and ``CONTEXT_FIELDS``;
unknown properties by the rules. What is PII or unclassified is sealed under the customer's key
(``events.sealed``); the rest stays plain. Context fields not declared are not stored at all.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Any, NamedTuple

from strongroom.collect.detectors.base import FieldContext, key_context, normalise_key
from strongroom.collect.detectors.registry import DetectorRegistry
from strongroom.collect.rules import Judgement, judge_field, judge_value, key_is_safe
from strongroom.core.catalog import FieldKey, FieldProtection, FieldScope, FieldStorage
from strongroom.core.models import JsonObject, JsonValue
from strongroom.core.schema import (
    CONTEXT_FIELDS,
    CUSTOMER_FIELDS,
    EVENT_PROPERTIES,
    DataClass,
    EventFieldSpec,
    FieldSpec,
    Protection,
)

_SPEC_BY_ALIAS: dict[str, FieldSpec] = {
    alias: spec for spec in CUSTOMER_FIELDS for alias in (*spec.aliases, spec.name)
}
_PROPERTY_SPECS: dict[str, EventFieldSpec] = {
    normalise_key(alias): spec for spec in EVENT_PROPERTIES for alias in spec.aliases
}
_SEALED_PROTECTION = {
    DataClass.PII: FieldProtection.ENCRYPTED,
    DataClass.UNCLASSIFIED: FieldProtection.SEALED_UNCLASSIFIED,
}


def _context_groups() -> tuple[
    tuple[str, tuple[tuple[EventFieldSpec, tuple[str, ...], FieldContext], ...]], ...
]:
    """The declared context fields by their top-level name, in declaration order."""
    groups: dict[str, list[tuple[EventFieldSpec, tuple[str, ...], FieldContext]]] = {}
    for spec in CONTEXT_FIELDS:
        top, *rest = spec.name.split(".")
        groups.setdefault(top, []).append(
            (spec, tuple(rest), FieldContext(normalise_key(spec.name)))
        )
    return tuple((top, tuple(fields)) for top, fields in groups.items())


_CONTEXT_GROUPS = _context_groups()


@cache
def default_registry() -> DetectorRegistry:
    """Every detector, at the default threshold; built on first use, not at import."""
    return DetectorRegistry()


@dataclass(frozen=True, slots=True)
class SeenField:
    """A field as classified, for the catalog; its name may be stored only if ``name_is_safe``."""

    key: FieldKey
    name_is_safe: bool = True


@dataclass(slots=True)
class ClassifiedTraits:
    """Traits sorted by how they are kept: encrypted fields, plain demographics, unknown extras."""

    encrypted: dict[str, JsonValue] = field(default_factory=dict)
    plain: dict[str, JsonValue] = field(default_factory=dict)
    extras: dict[str, JsonValue] = field(default_factory=dict)
    fields: list[SeenField] = field(default_factory=list)

    @property
    def data_classes(self) -> set[DataClass]:
        return {seen.key.data_class for seen in self.fields}


def _spec(name: str) -> FieldSpec:
    return _SPEC_BY_ALIAS[name]


def classify_traits(
    traits: Mapping[str, Any], detectors: DetectorRegistry | None = None
) -> ClassifiedTraits:
    """Sort ``traits`` by the declared schema; unknown traits are judged, and kept encrypted."""
    registry = detectors or default_registry()
    result = ClassifiedTraits()
    for key, value in traits.items():
        spec = _SPEC_BY_ALIAS.get(key)
        if value is None:
            continue
        if spec is None:
            _add_extra(result, key, judge_field(key, value, registry), registry)
            continue
        if spec.protection is Protection.ENCRYPTED:
            result.encrypted[spec.name] = _as_text(value) if spec.searchable else value
            result.fields.append(_trait(spec.name, spec.data_class, FieldProtection.ENCRYPTED))
            continue
        plain = _plain_value(spec, value)
        if plain is None:  # a demographic we cannot read stays sensitive
            _add_extra(result, key, Judgement(DataClass.UNCLASSIFIED, value), registry)
        else:
            result.plain[spec.name] = plain
            result.fields.append(_trait(spec.name, spec.data_class, FieldProtection.PLAIN))
    return result


def _trait(name: str, data_class: DataClass, protection: FieldProtection) -> SeenField:
    key = FieldKey(FieldScope.TRAIT, name, data_class, protection, FieldStorage.CUSTOMER_COLUMN)
    return SeenField(key)


def _add_extra(
    result: ClassifiedTraits, key: str, judged: Judgement, registry: DetectorRegistry
) -> None:
    result.extras[key] = judged.value
    protection = _SEALED_PROTECTION.get(judged.data_class, FieldProtection.ENCRYPTED)
    seen = FieldKey(
        FieldScope.TRAIT, key, judged.data_class, protection, FieldStorage.CUSTOMER_EXTRAS
    )
    result.fields.append(SeenField(seen, key_is_safe(key, registry)))


def _as_text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True)


def _plain_value(spec: FieldSpec, value: Any) -> JsonValue:
    if spec.name == "age":
        if isinstance(value, bool):
            return None
        if isinstance(value, int | float) and 0 <= value < 150:
            return int(value)
        if isinstance(value, str) and value.strip().isdigit() and int(value) < 150:
            return int(value)
        return None
    if isinstance(value, str) and len(value) <= 200:
        return value.strip()
    return None


@dataclass(slots=True)
class ClassifiedEvent:
    """An event's properties and context, split into what stays plain and what is sealed."""

    properties: JsonObject = field(default_factory=dict)
    context: JsonObject = field(default_factory=dict)
    sealed_properties: JsonObject = field(default_factory=dict)
    sealed_context: JsonObject = field(default_factory=dict)
    fields: list[SeenField] = field(default_factory=list)

    @property
    def sealed(self) -> JsonObject | None:
        """What goes into ``events.sealed`` (encrypted), or None if nothing must be sealed."""
        if not (self.sealed_properties or self.sealed_context):
            return None
        return {"properties": self.sealed_properties, "context": self.sealed_context}

    @property
    def data_classes(self) -> set[DataClass]:
        return {seen.key.data_class for seen in self.fields}


class _Placed(NamedTuple):
    """Where one field of an event goes: its value as stored, sealed or not, its catalog entry."""

    value: JsonValue
    sealed: bool
    seen: SeenField


# What one batch has judged: (scope tag, key, text) -> where it goes. The same texts come back in
# event after event of a batch (product names, pages, the library), and the judgement of a text
# depends only on its key. Kept for one batch (``EventSealer``), never longer.
Memo = dict[tuple[str, str, str], _Placed]
_MEMO_MAX_CHARS = 256  # longer texts are rarely repeated


def classify_event(
    properties: Mapping[str, Any],
    context: Mapping[str, Any],
    detectors: DetectorRegistry | None = None,
    memo: Memo | None = None,
) -> ClassifiedEvent:
    """Split an event's (card-free) properties and its context into plain and sealed parts.

    ``memo`` remembers judgements across the events of one batch (see ``Memo``).
    """
    registry = detectors or default_registry()
    memo = {} if memo is None else memo
    result = ClassifiedEvent()
    plain, sealed, fields = result.properties, result.sealed_properties, result.fields
    for key, value in properties.items():
        token = ("p", key, value) if type(value) is str and len(value) <= _MEMO_MAX_CHARS else None
        placed = memo.get(token) if token else None
        if placed is None:
            placed = _place_property(key, value, registry)
            if token:
                memo[token] = placed
        (sealed if placed.sealed else plain)[key] = placed.value
        fields.append(placed.seen)
    for name, group in _CONTEXT_GROUPS if context else ():
        found = context.get(name)
        if found is not None:
            _classify_context(result, found, group, registry, memo)
    return result


def _place_property(key: str, value: Any, registry: DetectorRegistry) -> _Placed:
    safe = key_is_safe(key, registry)
    spec = _PROPERTY_SPECS.get(normalise_key(key))
    if spec is not None:
        judged = _judge_declared(spec, key_context(key), value, registry)
    else:
        judged = judge_field(key, value, registry, safe=safe)
    return _placed(FieldScope.PROPERTY, key, judged, safe)


def _classify_context(
    result: ClassifiedEvent,
    found: Any,
    group: tuple[tuple[EventFieldSpec, tuple[str, ...], FieldContext], ...],
    registry: DetectorRegistry,
    memo: Memo,
) -> None:
    """The declared context fields under one top-level context name (``page``, ``ip``)."""
    for spec, rest, where in group:
        value = _at_path(found, rest) if rest else found
        if value is None:
            continue
        token = (
            ("c", spec.name, value)
            if type(value) is str and len(value) <= _MEMO_MAX_CHARS
            else None
        )
        placed = memo.get(token) if token else None
        if placed is None:
            judged = _judge_declared(spec, where, value, registry)
            placed = _placed(FieldScope.CONTEXT, spec.name, judged, True)
            if token:
                memo[token] = placed
        (result.sealed_context if placed.sealed else result.context)[spec.name] = placed.value
        result.fields.append(placed.seen)


def _judge_declared(
    spec: EventFieldSpec, where: FieldContext, value: Any, registry: DetectorRegistry
) -> Judgement:
    if spec.data_class is DataClass.PII:
        return Judgement(DataClass.PII, value)
    if spec.scanned or spec.data_class is DataClass.BEHAVIORAL:
        judged = judge_value(value, registry, where)
        if judged.data_class is DataClass.PII or judged.data_class is spec.data_class:
            return judged
        return Judgement(spec.data_class, judged.value)
    return Judgement(spec.data_class, value)


def _placed(scope: FieldScope, key: str, judged: Judgement, safe: bool) -> _Placed:
    # A safe key is a plain identifier: the same few arrive in every event, so share the entry.
    seen = (_seen_field if safe else _event_field)(scope, key, judged.data_class, safe)
    return _Placed(judged.value, judged.data_class in _SEALED_PROTECTION, seen)


def _event_field(scope: FieldScope, key: str, data_class: DataClass, safe: bool) -> SeenField:
    if data_class in _SEALED_PROTECTION:
        protection, storage = _SEALED_PROTECTION[data_class], FieldStorage.EVENT_SEALED
    else:
        protection = (
            FieldProtection.TOKENIZED if data_class is DataClass.PAYMENT else FieldProtection.PLAIN
        )
        storage = (
            FieldStorage.EVENT_PROPERTIES
            if scope is FieldScope.PROPERTY
            else FieldStorage.EVENT_CONTEXT
        )
    return SeenField(FieldKey(scope, key, data_class, protection, storage), safe)


_seen_field = lru_cache(maxsize=4096)(_event_field)


def _at_path(context: Mapping[str, Any], path: tuple[str, ...]) -> Any:
    value: Any = context
    for name in path:
        if type(value) is not dict and not isinstance(value, Mapping):
            return None
        value = value.get(name)
    return value
