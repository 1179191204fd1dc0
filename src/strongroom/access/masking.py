"""Masks that keep a value recognisable to its owner without disclosing it."""

from __future__ import annotations

from strongroom.core.models import JsonValue

_HIDDEN = "***"


def mask_email(value: str) -> str:
    """``jane@example.com`` -> ``j***@example.com``."""
    local, at, domain = value.partition("@")
    if not at or not local:
        return _HIDDEN
    return f"{local[0]}{_HIDDEN}@{domain}"


def mask_phone(value: str) -> str:
    """Keep the last two digits only."""
    digits = [char for char in value if char.isdigit()]
    if len(digits) < 6:
        return _HIDDEN
    return f"{_HIDDEN}{''.join(digits[-2:])}"


def mask_name(value: str) -> str:
    """Initials only: ``Jane Doe`` -> ``J*** D***``."""
    parts = [f"{part[0]}{_HIDDEN}" for part in value.split() if part]
    return " ".join(parts) or _HIDDEN


_MASKERS = {
    "email": mask_email,
    "phone": mask_phone,
    "first_name": mask_name,
    "last_name": mask_name,
    "name": mask_name,
}


def mask_value(field: str, value: JsonValue) -> JsonValue:
    """The masked form of ``value``; anything without a dedicated mask is hidden entirely."""
    if value is None:
        return None
    masker = _MASKERS.get(field)
    if masker is None or not isinstance(value, str):
        return _HIDDEN
    return masker(value)
