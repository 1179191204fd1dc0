"""Free-text notes staff attach to privacy records: one line, bounded, stated."""

from __future__ import annotations

import unicodedata

from strongroom.core.errors import InvalidInputError

MAX_NOTE_CHARS = 500


def checked_note(text: str, what: str) -> str:
    """``text`` trimmed; refuses an empty, overlong or multi-line one, naming ``what`` it is."""
    note = text.strip()
    if not note:
        raise InvalidInputError(f"the {what} is empty: say what was done, without personal data")
    if len(note) > MAX_NOTE_CHARS:
        raise InvalidInputError(
            f"the {what} is {len(note)} characters; keep it to {MAX_NOTE_CHARS}"
        )
    if any(unicodedata.category(char) == "Cc" for char in note):
        raise InvalidInputError(f"the {what} holds control characters; write it on one line")
    return note
