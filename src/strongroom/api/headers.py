"""What every answer carries (security headers), and which request bodies are accepted where.

JSON routes take ``application/json`` only (UTF-8); the OAuth token endpoint also takes the form
encoding RFC 6749 requires. Tracking routes (``/v1/*``) take any Content-Type by design, since
Segment's analytics.js sends ``text/plain`` to avoid CORS preflights; document uploads take any,
since the intake pipeline decides a file's type from its bytes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

SECURITY_HEADERS = {
    "Strict-Transport-Security": "max-age=31536000; includeSubDomains",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
}

JSON_MEDIA_TYPES = frozenset({"application/json"})
TOKEN_MEDIA_TYPES = frozenset({"application/json", "application/x-www-form-urlencoded"})
TOKEN_PATH = "/oauth/token"  # noqa: S105 - a path, not a secret
# API paths whose bodies are files, not JSON: their type is checked by the intake pipeline.
RAW_BODY_PATHS = (re.compile(r"/api/v1/customers/[^/]+/documents"),)
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_UTF8 = frozenset({"utf-8", "utf8"})


def content_type_problem(method: str, path: str, headers: Mapping[str, str]) -> str | None:
    """Why this request's Content-Type is refused (answer 415), or None if it is acceptable."""
    allowed = _allowed_types(method, path)
    if allowed is None:
        return None
    has_body = headers.get("content-length", "0").strip() not in {"", "0"}
    if not has_body and "transfer-encoding" not in headers and path != TOKEN_PATH:
        return None
    expected = " or ".join(sorted(allowed))
    media_type, _, parameters = headers.get("content-type", "").partition(";")
    if media_type.strip().lower() not in allowed:
        return f"send the body as {expected}"
    for parameter in parameters.split(";"):
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset" and value.strip().strip('"').lower() not in _UTF8:
            return f"send the body as {expected} in UTF-8"
    return None


def _allowed_types(method: str, path: str) -> frozenset[str] | None:
    if method not in _BODY_METHODS:
        return None
    if path == TOKEN_PATH:
        return TOKEN_MEDIA_TYPES
    if not path.startswith("/api/") or any(raw.fullmatch(path) for raw in RAW_BODY_PATHS):
        return None
    return JSON_MEDIA_TYPES
