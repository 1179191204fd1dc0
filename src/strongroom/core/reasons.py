"""Stated reasons (why a file was released, a merge undone, a customer erased): one check."""

from __future__ import annotations

import unicodedata

from strongroom.core.errors import InvalidInputError


def checked_reason(reason: str, *, missing: str, limit: int, advice: str = "") -> str:
    """The reason, trimmed; InvalidInputError with ``missing`` when empty, and when overlong
    (``advice`` follows the limit) or holding control characters."""
    text = reason.strip()
    if not text:
        raise InvalidInputError(missing)
    if len(text) > limit:
        raise InvalidInputError(f"the reason is {len(text)} characters; keep it to {limit}{advice}")
    if any(unicodedata.category(char) == "Cc" for char in text):
        raise InvalidInputError("the reason holds control characters; write it on one line")
    return text
