"""Guard rails of identity resolution: values never used to link, and per-type limits.

A placeholder such as ``null`` or ``test@example.com`` sent by a buggy client would otherwise join
every customer who sent it into one. Such values are never looked up and never stored as
identifiers. A link that would give one customer more identifiers of a type than its limit goes to
the review queue instead of merging.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from strongroom.core.errors import ConfigurationError

# Compared after trimming and lower-casing. Entries "*@domain" block a whole mail domain.
DEFAULT_BLOCKED_VALUES: tuple[str, ...] = (
    "null",
    "undefined",
    "none",
    "nil",
    "nan",
    "0",
    "-1",
    "anonymous",
    "unknown",
    "guest",
    "test",
    "test@example.com",
    "test@test.com",
    "email@example.com",
    "user@example.com",
    "noreply@example.com",
)
# Kinds: user_id, anonymous_id, external, email, phone (profiles holding one).
DEFAULT_LIMITS: Mapping[str, int] = {
    "user_id": 1,
    "anonymous_id": 100,
    "external": 20,
    "email": 5,
    "phone": 5,
}
LIMIT_KINDS = frozenset(DEFAULT_LIMITS)


@dataclass(frozen=True, slots=True)
class IdentityPolicy:
    """Which identifier values may link customers, and how many of a kind one customer may hold."""

    blocked: frozenset[str] = frozenset(DEFAULT_BLOCKED_VALUES)
    limits: Mapping[str, int] = field(default_factory=lambda: dict(DEFAULT_LIMITS))

    def usable(self, value: str) -> bool:
        """Whether ``value`` may be used to link: not blank, not blocked, not a blocked domain."""
        text = value.strip().lower()
        if not text or text in self.blocked:
            return False
        _, at, domain = text.rpartition("@")
        return not (at and f"*@{domain}" in self.blocked)

    def limit(self, kind: str) -> int:
        return self.limits.get(kind, DEFAULT_LIMITS.get(kind, 1))


def parse_blocked_values(text: str | None) -> frozenset[str]:
    """``STRONGROOM_IDENTITY_BLOCKED_VALUES``: comma-separated; a leading ``+`` adds to defaults."""
    if text is None or not text.strip():
        return frozenset(DEFAULT_BLOCKED_VALUES)
    extend = text.strip().startswith("+")
    values = {part.strip().lower() for part in text.strip().lstrip("+").split(",")}
    values.discard("")
    return frozenset(values | (set(DEFAULT_BLOCKED_VALUES) if extend else set()))


def parse_limits(text: str | None) -> dict[str, int]:
    """``STRONGROOM_IDENTITY_LIMITS``: ``kind=n`` pairs, comma-separated, over the defaults."""
    limits = dict(DEFAULT_LIMITS)
    for part in (text or "").split(","):
        if not part.strip():
            continue
        kind, equals, number = part.partition("=")
        kind = kind.strip().lower()
        if not equals or kind not in LIMIT_KINDS or not number.strip().isdigit():
            raise ConfigurationError(
                f"identity limit {part.strip()!r} is not kind=number with a kind among "
                f"{', '.join(sorted(LIMIT_KINDS))} (e.g. anonymous_id=50)"
            )
        if int(number) < 1:
            raise ConfigurationError(f"identity limit {part.strip()!r} must be at least 1")
        limits[kind] = int(number)
    return limits
