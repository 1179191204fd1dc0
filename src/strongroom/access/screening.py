"""Injection-shaped input: noticed and audited, so the monitor can see who probes the API.

Every query is parameterised, so such a value cannot do harm here; but someone who sends
``' OR 1=1 --`` as a customer id is probing, and that is worth an alert. ``screen_input`` records
a ``security.suspicious_input`` audit entry naming the field and the kind of pattern, never the
value (it may hold personal data, or an attack someone would replay from the log).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from strongroom.core.models import Actor
from strongroom.core.ports import AuditTrail, UnitOfWorkFactory
from strongroom.core.trail import AuditAction, AuditDraft, Outcome

MAX_SCREENED_CHARS = 4096  # longer values are cut before matching: the patterns are short

# Each pattern needs a shape no honest id, email or phone number has: a lone apostrophe
# (o'brien@example.com) or a hyphen pair in a name is not enough.
INJECTION_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "sql",
        re.compile(
            r"""['"`)]\s*(\b(or|and|union)\b|;)"""  # break out of a string, then SQL
            r"""|\bunion\b\s+(all\s+)?select\b"""
            r"""|;\s*(drop|delete|insert|update|select|alter|create|exec)\b"""
            r"""|\b(or|and)\s+['"]?\w+['"]?\s*=\s*['"]?\w+"""  # or 1=1, and 'a'='a'
            r"""|\b(sleep|benchmark|pg_sleep|waitfor\s+delay)\s*\("""
            r"""|(--|/\*)\s*$|/\*.*\*/|\bxp_cmdshell\b|\binformation_schema\b""",
            re.IGNORECASE,
        ),
    ),
    (
        "script",
        re.compile(
            r"<\s*/?\s*(script|iframe|svg|img|object|embed|body|style)\b"
            r"|\bjavascript\s*:|\bon(error|load|click|mouseover|focus)\s*=",
            re.IGNORECASE,
        ),
    ),
    ("path_traversal", re.compile(r"(\.\./|\.\.\\|%2e%2e%2f|%2e%2e/)", re.IGNORECASE)),
    ("template", re.compile(r"\$\{jndi:|\$\{[^}]*\}|\{\{.*\}\}|<%.*%>", re.IGNORECASE)),
)


def injection_kind(value: str) -> str | None:
    """The kind of attack ``value`` is shaped like (sql, script, ...), or None."""
    sample = value[:MAX_SCREENED_CHARS]
    for kind, pattern in INJECTION_PATTERNS:
        if pattern.search(sample):
            return kind
    return None


@dataclass(frozen=True, slots=True)
class InputScreen:
    """Records injection-shaped request values as ``security.suspicious_input`` audit entries."""

    uow_factory: UnitOfWorkFactory
    audit: AuditTrail

    def screen(self, *, actor: Actor, field: str, value: str) -> bool:
        """Whether ``value`` (sent as ``field``) is injection-shaped; if so, audit it."""
        kind = injection_kind(value)
        if kind is None:
            return False
        draft = AuditDraft(
            actor=actor.label,
            action=AuditAction.SUSPICIOUS_INPUT,
            outcome=Outcome.DENIED,
            resource_type="request",
            detail={"field": field[:64], "kind": kind, "length": len(value)},
            origin=actor.origin,
        )
        with self.uow_factory() as uow:
            self.audit.record(uow, [draft])
            uow.commit()
        return True
