"""The access policy: may a role do this, for this purpose, and how much of a field may it see."""

from __future__ import annotations

from enum import StrEnum

from strongroom.access.decisions import Effect, field_effect
from strongroom.access.permissions import PURPOSE_NAMES, ROLES, Permission, Role
from strongroom.core.errors import InvalidInputError, PermissionDeniedError
from strongroom.core.models import Actor
from strongroom.core.schema import DataClass


class FieldDecision(StrEnum):
    ALLOW = "allow"
    MASK = "mask"


def role_named(name: str) -> Role:
    """The declared role ``name``; refuses a role that is not declared."""
    try:
        return ROLES[name]
    except KeyError:
        known = ", ".join(sorted(ROLES))
        raise InvalidInputError(f"unknown role {name!r}; the roles are: {known}") from None


def require(role: Role, permission: Permission) -> None:
    """Raise PermissionDeniedError unless ``role`` holds ``permission``."""
    if permission not in role.permissions:
        raise PermissionDeniedError(
            f"the {role.name} role may not {permission.value}; ask an admin for a role that may"
        )


def require_scope(actor: Actor, permission: Permission) -> None:
    """Raise PermissionDeniedError if ``actor`` is a machine key narrowed to other scopes."""
    if actor.scopes is not None and permission.value not in actor.scopes:
        raise PermissionDeniedError(
            f"this key's scopes do not include {permission.value}; issue a key with that scope"
        )


def resolve_purpose(role: Role, requested: str | None) -> str:
    """The request's purpose: the one stated if declared and allowed, else the role's default."""
    if requested is None or requested == "":
        return role.default_purpose
    if requested not in PURPOSE_NAMES:
        known = ", ".join(sorted(PURPOSE_NAMES))
        raise InvalidInputError(f"unknown purpose {requested!r}; the purposes are: {known}")
    if requested not in role.purposes:
        allowed = ", ".join(role.purposes)
        raise PermissionDeniedError(
            f"the {role.name} role may not act for the purpose {requested!r}; it may for: {allowed}"
        )
    return requested


def field_decision(role: Role, data_class: DataClass, *, trained: bool = True) -> FieldDecision:
    """Whether ``role`` sees a field of ``data_class`` in full or masked (the policy engine's
    ``field_effect``: PII in full only with pii.read and current training)."""
    if field_effect(role, data_class, trained=trained).effect is Effect.MASK:
        return FieldDecision.MASK
    return FieldDecision.ALLOW
