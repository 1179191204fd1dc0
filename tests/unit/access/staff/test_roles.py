"""Which roles may log in only with a security key: declared on the role, never by a login path."""

from __future__ import annotations

import pytest

from strongroom.access.permissions import ROLES, Permission

DANGEROUS = {Permission.PII_READ, Permission.TOKENS_MANAGE, Permission.INCIDENTS_MANAGE}


@pytest.mark.parametrize("name", sorted(ROLES))
def test_roles_that_read_pii_administer_or_run_incidents_need_a_security_key(name: str) -> None:
    role = ROLES[name]
    if role.permissions & DANGEROUS:
        assert role.needs_security_key, name


@pytest.mark.parametrize(
    ("name", "needed"),
    [("admin", True), ("dpo", True), ("security", True), ("support", False), ("auditor", False)],
)
def test_the_declared_roles_say_whether_they_need_a_key(name: str, needed: bool) -> None:
    assert ROLES[name].needs_security_key is needed
