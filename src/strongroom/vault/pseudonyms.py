"""Pseudonyms: stable, keyed stand-ins for customer ids, for the lake, the warehouse and receipts.

``ps<version>_<32 base32 characters>``: HMAC-SHA256 of the customer id under the keyring's
pseudonym key of that version, truncated to 160 bits. Keyed, never a bare hash: customer ids are
not secret, so anyone could hash every id they know and join the lake back to the store; without
the pseudonym key they cannot. The same customer has the same pseudonym for as long as the key
version lasts, and an unrelated one under the next version.
"""

from __future__ import annotations

import base64
import re
from typing import Protocol

from cryptography.hazmat.primitives import hashes, hmac

from strongroom.core.errors import InvalidInputError, VaultError
from strongroom.core.models import CustomerId
from strongroom.vault.envelope import ROOT_KEY_BYTES, length_prefixed
from strongroom.vault.keyring import KeyKind

_PSEUDONYM_BYTES = 20  # 160 bits: collisions need ~2^80 customers
_DOMAIN = b"strongroom:pseudonym:customer"
_PATTERN = re.compile(r"ps([1-9][0-9]*)_([a-z2-7]{32})")


class PseudonymKeys(Protocol):
    """What pseudonyms need of a keyring (a ``Keyring`` or one that follows rotations)."""

    def current(self, kind: KeyKind) -> tuple[int, bytes]: ...

    def key(self, kind: KeyKind, version: int) -> bytes: ...


def pseudonym_under(key: bytes, version: int, customer_id: CustomerId) -> str:
    """The pseudonym of ``customer_id`` under ``key``, which is pseudonym key ``version``."""
    if len(key) != ROOT_KEY_BYTES:
        raise VaultError(
            f"a pseudonym key must be {ROOT_KEY_BYTES} bytes, not {len(key)}: "
            "pass the pseudonym key from the keyring"
        )
    if version < 1:
        raise VaultError(f"key version {version} is not a keyring version: versions start at 1")
    mac = hmac.HMAC(key, hashes.SHA256())
    mac.update(length_prefixed(_DOMAIN, customer_id.encode("utf-8")))
    digest = mac.finalize()[:_PSEUDONYM_BYTES]
    return f"ps{version}_{base64.b32encode(digest).decode('ascii').lower()}"


def pseudonym_key_version(pseudonym: str) -> int:
    """The pseudonym key version a pseudonym was made with."""
    match = _PATTERN.fullmatch(pseudonym)
    if match is None:
        raise InvalidInputError(
            "not a pseudonym: one looks like ps1_ followed by 32 letters a-z and digits 2-7"
        )
    return int(match.group(1))


class Pseudonymizer:
    """Makes customers' pseudonyms under the keyring's current pseudonym key."""

    def __init__(self, keys: PseudonymKeys) -> None:
        self._keys = keys

    def __repr__(self) -> str:
        return "Pseudonymizer()"

    def pseudonym(self, customer_id: CustomerId) -> str:
        """The customer's pseudonym under the current pseudonym key version."""
        version, key = self._keys.current(KeyKind.PSEUDONYM)
        return pseudonym_under(key, version, customer_id)

    def pseudonym_at(self, customer_id: CustomerId, version: int) -> str:
        """The customer's pseudonym under an older (or the current) key version."""
        return pseudonym_under(self._keys.key(KeyKind.PSEUDONYM, version), version, customer_id)
