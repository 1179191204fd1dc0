"""Blind indexes: keyed hashes of identifiers, so an exact-match lookup needs no plaintext.

Identifier lookups (userId, anonymousId) keep the full HMAC-SHA256: identity resolution must be
exact. Searchable profile fields (email, phone) keep only as many bits as the planner chooses, so
that one index value matches several customers and alone singles nobody out in a leaked
database; lookups remove the false positives by decrypting the candidates.
"""

from __future__ import annotations

import math

import phonenumbers
from cryptography.hazmat.primitives import hashes, hmac

from strongroom.core.errors import VaultError
from strongroom.vault.envelope import ROOT_KEY_BYTES, length_prefixed

BLIND_INDEX_BYTES = 32
DEFAULT_PHONE_REGION = "US"  # how numbers written without a country code are read
MIN_INDEX_BITS = 1
MAX_INDEX_BITS = BLIND_INDEX_BYTES * 8


def plan_index_bits(population: int) -> int:
    """Bits to keep so that each index value is shared by 2 to sqrt(population) customers.

    CipherSweet's planning rule: with N customers and b bits, about N / 2**b customers share a
    value. Keeping the most bits that still leave at least 2 makes lookups as selective as they
    can be while no value alone points at one person; for N >= 16, N / 2**b stays below sqrt(N).
    """
    if population < 4:
        return MIN_INDEX_BITS
    return min(MAX_INDEX_BITS, math.floor(math.log2(population / 2)))


def truncate_index(digest: bytes, bits: int | None) -> bytes:
    """Keep the first ``bits`` bits of ``digest`` (the rest of the last byte zeroed)."""
    if bits is None or bits >= len(digest) * 8:
        return digest
    whole, rest = divmod(bits, 8)
    kept = bytearray(digest[: whole + (1 if rest else 0)])
    if rest:
        kept[-1] &= (0xFF << (8 - rest)) & 0xFF
    return bytes(kept)


def normalise_phone(value: str, default_region: str = DEFAULT_PHONE_REGION) -> str:
    """E.164 (``+14155550123``) when the number parses; otherwise its digits, with any ``+``."""
    try:
        number = phonenumbers.parse(value, default_region)
    except phonenumbers.NumberParseException:
        number = None
    if number is not None and phonenumbers.is_possible_number(number):
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    digits = "".join(char for char in value if char.isdigit())
    return f"+{digits}" if value.strip().startswith("+") else digits


def normalise_email(value: str) -> str:
    """Return an email address in the one form that is indexed: trimmed and lower-cased."""
    return value.strip().lower()


def normalise_identifier(kind: str, value: str) -> str:
    """Return ``value`` normalised for its kind or field (emails lower-cased, all trimmed)."""
    if kind == "email":
        return normalise_email(value)
    if kind == "phone":
        return normalise_phone(value)
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
