"""Keyed, deterministic message ids for imported rows: a re-run makes the same ids.

Ids are HMAC-SHA256 under the keyring's pseudonym key, never a bare hash: a row key is often a
user id or an email, and a bare hash of one could be reversed by hashing every known address.
The same key gives a customer known only by email a stable anonymous id across files and runs.
"""

from __future__ import annotations

import base64

from cryptography.hazmat.primitives import hashes, hmac

from strongroom.vault.blindindex import normalise_email
from strongroom.vault.envelope import length_prefixed
from strongroom.vault.keyring import KeyKind
from strongroom.vault.pseudonyms import PseudonymKeys

_MESSAGE_DOMAIN = b"strongroom:import:message"
_ANONYMOUS_DOMAIN = b"strongroom:import:anonymous-id"
_DIGEST_BYTES = 20


class MessageKeys:
    """Message ids for one source's import, and anonymous ids for email-only customers."""

    def __init__(self, keys: PseudonymKeys, source_id: str) -> None:
        # The first pseudonym key version: ids must not change when a newer version is added.
        self._key = keys.key(KeyKind.PSEUDONYM, 1)
        self._source = source_id.encode("utf-8")

    def __repr__(self) -> str:
        return "MessageKeys()"

    def message_id(self, kind: str, row_key: str) -> str:
        """The messageId of the call made from a row of ``kind`` with ``row_key``."""
        return "imp-" + self._digest(_MESSAGE_DOMAIN, self._source, kind.encode(), row_key.encode())

    def anonymous_id(self, email: str) -> str:
        """A stable anonymousId standing for an email address (the same in every source)."""
        return "imp-anon-" + self._digest(_ANONYMOUS_DOMAIN, normalise_email(email).encode())

    def _digest(self, *parts: bytes) -> str:
        mac = hmac.HMAC(self._key, hashes.SHA256())
        mac.update(length_prefixed(*parts))
        digest = mac.finalize()[:_DIGEST_BYTES]
        return base64.b32encode(digest).decode("ascii").lower()
