"""E-mail addresses."""

from __future__ import annotations

from strongroom.collect.detectors.base import Pattern, PiiDetector

_MAX_LOCAL = 64
_MAX_DOMAIN = 253
_LOCAL = r"(?<![\w.+%-])[A-Za-z0-9][A-Za-z0-9._%+-]*"
_DOMAIN = r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z]{2,24}(?![\w-])"


class EmailDetector(PiiDetector):
    """An address such as ``ann@example.org``: a sane local part and a dotted domain."""

    name = "email"
    pii_type = "email"
    PATTERNS = (Pattern("email", f"{_LOCAL}@{_DOMAIN}", 0.9),)
    CONTEXT_KEYS = frozenset({"email", "e_mail", "mail", "email_address", "contact_email"})
    CONTEXT_BOOST = 0.1
    NEEDS_AT = True
    MIN_LENGTH = 6  # a@b.cc

    def validate(self, text: str, start: int, end: int, score: float) -> float | None:
        local, _, domain = text[start:end].rpartition("@")
        if len(local) > _MAX_LOCAL or len(domain) > _MAX_DOMAIN or ".." in local:
            return None
        return score
