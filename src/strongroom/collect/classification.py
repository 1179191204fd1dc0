"""Classification of traits by the declared schema; each data class decides the protection."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from strongroom.core.models import JsonValue
from strongroom.core.schema import CUSTOMER_FIELDS, DataClass, FieldSpec, Protection

_SPEC_BY_ALIAS: dict[str, FieldSpec] = {
    alias: spec for spec in CUSTOMER_FIELDS for alias in (*spec.aliases, spec.name)
}


@dataclass(slots=True)
class ClassifiedTraits:
    """Traits sorted by how they are kept: encrypted fields, plain demographics, unknown extras."""

    encrypted: dict[str, JsonValue] = field(default_factory=dict)
    plain: dict[str, JsonValue] = field(default_factory=dict)
    extras: dict[str, JsonValue] = field(default_factory=dict)

    @property
    def data_classes(self) -> set[DataClass]:
        classes = {_spec(name).data_class for name in (*self.encrypted, *self.plain)}
        if self.extras:
            classes.add(DataClass.UNCLASSIFIED)
        return classes


def _spec(name: str) -> FieldSpec:
    return _SPEC_BY_ALIAS[name]


def classify_traits(traits: Mapping[str, Any]) -> ClassifiedTraits:
    """Sort ``traits`` by the declared schema; unknown traits are unclassified, so encrypted."""
    result = ClassifiedTraits()
    for key, value in traits.items():
        spec = _SPEC_BY_ALIAS.get(key)
        if spec is None or value is None:
            if value is not None:
                result.extras[key] = value
            continue
        if spec.protection is Protection.ENCRYPTED:
            result.encrypted[spec.name] = _as_text(value) if spec.searchable else value
            continue
        plain = _plain_value(spec, value)
        if plain is None:
            result.extras[key] = value  # a demographic we cannot read stays sensitive
        else:
            result.plain[spec.name] = plain
    return result


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
