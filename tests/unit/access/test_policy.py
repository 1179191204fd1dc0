"""The policy as a decision table: role x permission, role x purpose, role x data class."""

from __future__ import annotations

import pytest

from strongroom.access.permissions import PURPOSE_NAMES, ROLES, Permission
from strongroom.access.policy import (
    FieldDecision,
    field_decision,
    require,
    resolve_purpose,
    role_named,
)
from strongroom.core.errors import InvalidInputError, PermissionDeniedError
from strongroom.core.schema import DataClass

ALLOWED = {
    ("admin", Permission.SOURCES_MANAGE),
    ("admin", Permission.TOKENS_MANAGE),
    ("admin", Permission.MACHINES_MANAGE),
    ("support", Permission.CUSTOMERS_READ),
    ("support", Permission.CUSTOMERS_SEARCH),
    ("dpo", Permission.CUSTOMERS_READ),
    ("dpo", Permission.CUSTOMERS_SEARCH),
    ("dpo", Permission.PII_READ),
    ("dpo", Permission.CUSTOMERS_ERASE),
    ("auditor", Permission.AUDIT_READ),
    ("payments", Permission.CARDS_DETOKENIZE),
    ("support", Permission.DOCUMENTS_UPLOAD),
    ("dpo", Permission.DOCUMENTS_UPLOAD),
    ("dpo", Permission.DOCUMENTS_READ),
    ("security", Permission.QUARANTINE_READ),
    ("security", Permission.QUARANTINE_RELEASE),
    ("security", Permission.QUARANTINE_PURGE),
    ("dpo", Permission.PRIVACY_MANAGE),
    ("dpo", Permission.CONSENT_MANAGE),
    ("marketing", Permission.CUSTOMERS_READ),
    ("marketing", Permission.CUSTOMERS_SEARCH),
    ("owner", Permission.SOURCES_MANAGE),
    ("owner", Permission.TOKENS_MANAGE),
    ("owner", Permission.MACHINES_MANAGE),
    ("support", Permission.PII_REVEAL),
    ("dpo", Permission.INCIDENTS_MANAGE),
    ("security", Permission.INCIDENTS_MANAGE),
    ("analyst", Permission.ANALYTICS_READ),
    ("vendor", Permission.CUSTOMERS_READ),
    ("app", Permission.CUSTOMERS_READ),
}


@pytest.mark.parametrize("role", sorted(ROLES))
@pytest.mark.parametrize("permission", list(Permission))
def test_each_role_holds_exactly_its_declared_permissions(
    role: str, permission: Permission
) -> None:
    if (role, permission) in ALLOWED:
        require(ROLES[role], permission)
    else:
        with pytest.raises(PermissionDeniedError, match=f"the {role} role may not"):
            require(ROLES[role], permission)


@pytest.mark.parametrize(
    ("role", "data_class", "decision"),
    [
        ("support", DataClass.PII, FieldDecision.MASK),
        ("support", DataClass.UNCLASSIFIED, FieldDecision.MASK),
        ("support", DataClass.DEMOGRAPHIC, FieldDecision.ALLOW),
        ("support", DataClass.BEHAVIORAL, FieldDecision.ALLOW),
        ("support", DataClass.TRANSACTIONAL, FieldDecision.ALLOW),
        ("dpo", DataClass.PII, FieldDecision.ALLOW),
        ("dpo", DataClass.UNCLASSIFIED, FieldDecision.ALLOW),
        ("admin", DataClass.PII, FieldDecision.MASK),
        ("auditor", DataClass.PII, FieldDecision.MASK),
    ],
)
def test_pii_is_masked_for_every_role_without_pii_read(
    role: str, data_class: DataClass, decision: FieldDecision
) -> None:
    assert field_decision(ROLES[role], data_class) is decision


def test_a_request_without_a_purpose_gets_the_roles_default() -> None:
    assert resolve_purpose(ROLES["support"], None) == "support"
    assert resolve_purpose(ROLES["dpo"], "") == "dsar"


def test_a_stated_purpose_the_role_has_is_kept() -> None:
    assert resolve_purpose(ROLES["dpo"], "security") == "security"


def test_an_unknown_purpose_is_invalid_input() -> None:
    with pytest.raises(InvalidInputError, match="unknown purpose 'curiosity'"):
        resolve_purpose(ROLES["support"], "curiosity")


@pytest.mark.parametrize("purpose", sorted(PURPOSE_NAMES - {"support"}))
def test_support_may_act_only_for_support(purpose: str) -> None:
    with pytest.raises(PermissionDeniedError, match="may not act for the purpose"):
        resolve_purpose(ROLES["support"], purpose)


def test_an_undeclared_role_is_refused_with_the_list_of_roles() -> None:
    with pytest.raises(InvalidInputError, match=f"the roles are: {', '.join(sorted(ROLES))}"):
        role_named("root")


def test_every_role_default_purpose_is_declared() -> None:
    for role in ROLES.values():
        assert set(role.purposes) <= PURPOSE_NAMES
