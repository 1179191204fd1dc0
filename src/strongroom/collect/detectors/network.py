"""IP addresses (v4 and v6), checked by the ``ipaddress`` module."""

from __future__ import annotations

import ipaddress
import re

from strongroom.collect.detectors.base import (
    NO_CONTEXT,
    FieldContext,
    Pattern,
    PiiDetector,
    Shape,
    Span,
)

# A dotted quad right after one of these words is a version, not an address: "v1.2.3.4".
_VERSION_BEFORE = re.compile(r"(?:\bv|\bver\.?|\bversion|\brelease|\bbuild)\s*[:=]?\s*$", re.I)
_VERSION_WINDOW = 12


class IpAddressDetector(PiiDetector):
    """An address ``ipaddress`` accepts; not a version number written like one."""

    name = "ip_address"
    pii_type = "ip_address"
    PATTERNS = (
        Pattern("ipv4", r"(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?![\w.]|\.\d)", 0.6),
        Pattern("ipv6", r"(?<![\w:])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?![\w:])", 0.6),
    )
    CONTEXT_KEYS = frozenset(
        {
            "ip",
            "ip_address",
            "ipaddress",
            "client_ip",
            "remote_addr",
            "remote_ip",
            "x_forwarded_for",
        }
    )
    CONTEXT_BOOST = 0.3

    def fits(self, shape: Shape) -> bool:
        # IPv4: four numbers and three dots; IPv6: at least two colons (digits are optional).
        return (shape.dots >= 3 and shape.digits >= 4) or shape.colons >= 2

    def validate(self, text: str, start: int, end: int, score: float) -> float | None:
        candidate = text[start:end]
        try:
            address = ipaddress.ip_address(candidate)
        except ValueError:
            return None
        if address.is_unspecified:  # "::" or 0.0.0.0 is nobody's address
            return None
        if "." in candidate and _VERSION_BEFORE.search(
            text[max(0, start - _VERSION_WINDOW) : start]
        ):
            return None
        return score

    def classify(
        self, value: str, context: FieldContext = NO_CONTEXT, spans: list[Span] | None = None
    ) -> Span | None:
        if context.key is not None and "version" in context.key:
            return None  # an app_version of "1.2.3.4" is a version
        return super().classify(value, context, spans)
