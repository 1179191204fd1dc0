"""Browser origins a web or mobile source accepts: ``scheme://host[:port]``, nothing more."""

from __future__ import annotations

from urllib.parse import urlsplit

from strongroom.core.errors import InvalidInputError

_MAX_ORIGIN_CHARS = 253 + len("https://") + len(":65535")
_DEFAULT_PORTS = {"https": 443, "http": 80}


def normalize_origin(value: str) -> str:
    """The canonical form of an origin setting; InvalidInputError if it is not an origin."""
    text = value.strip()
    refusal = InvalidInputError(
        f"{text[:80]!r} is not an origin: give scheme, host and optional port, "
        "e.g. https://shop.example.com"
    )
    if not text or len(text) > _MAX_ORIGIN_CHARS:
        raise refusal
    origin = origin_of(text)
    if origin is None:
        raise refusal
    return origin


def origin_of(header: str) -> str | None:
    """The canonical form of an ``Origin`` header, or None if it is not an http(s) origin."""
    try:
        parts = urlsplit(header.strip())
        port = parts.port
    except ValueError:
        return None
    scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
    if scheme not in _DEFAULT_PORTS or not host or parts.username or parts.password:
        return None
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        return None
    if ":" in host:
        host = f"[{host}]"  # an IPv6 address keeps its brackets
    if port is None or port == _DEFAULT_PORTS[scheme]:
        return f"{scheme}://{host}"
    return f"{scheme}://{host}:{port}"
