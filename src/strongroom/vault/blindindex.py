"""Blind indexes: keyed hashes of identifiers, so an exact-match lookup needs no plaintext.

The index value is the full HMAC-SHA256 for now. Shortening it (so one value matches several
customers and the index gives less away) comes later; callers already filter false positives
by decrypting the candidates.
"""

from __future__ import annotations

from cryptography.hazmat.primitives import hashes, hmac

from strongroom.core.errors import VaultError
from strongroom.vault.envelope import ROOT_KEY_BYTES, length_prefixed

BLIND_INDEX_BYTES = 32


def normalise_email(value: str) -> str:
    """Return an email address in the one form that is indexed: trimmed and lower-cased."""
    return value.strip().lower()


def normalise_identifier(kind: str, value: str) -> str:
    """Return ``value`` normalised for its kind or field (emails lower-cased, all trimmed)."""
    if kind == "email":
        return normalise_email(value)
    return value.strip()


def blind_index(key: bytes, *, field: str, value: str) -> bytes:
    """Return the blind index of an already normalised ``value`` of ``field`` under ``key``."""
    # A wrong-sized key would still hash, silently producing an index that never matches.
    if len(key) != ROOT_KEY_BYTES:
        raise VaultError(
            f"a blind-index key must be {ROOT_KEY_BYTES} bytes, not {len(key)}: "
            "pass the blind-index key from the keyring"
        )
    mac = hmac.HMAC(key, hashes.SHA256())
    # The field is part of the input, so equal values of different fields never match.
    mac.update(length_prefixed(field.encode("utf-8"), value.encode("utf-8")))
    return mac.finalize()
