"""Bearer secrets (API tokens, write keys): made by a CSPRNG, shown once, stored only hashed."""

from __future__ import annotations

import hashlib
import secrets
import uuid

_SECRET_BYTES = 32
PREFIX_LENGTH = 8


def new_secret(prefix: str) -> str:
    """A fresh secret such as ``srt_...``; 256 bits of entropy after the prefix."""
    return f"{prefix}_{secrets.token_urlsafe(_SECRET_BYTES)}"


def hash_secret(secret: str) -> bytes:
    """SHA-256 of the secret.

    A fast hash is right here: the secret is 256 random bits, so there is nothing to brute-force,
    and lookups stay cheap. Passwords chosen by people use Argon2id instead.
    """
    return hashlib.sha256(secret.encode()).digest()


def display_prefix(secret: str) -> str:
    """The first characters, safe to show in lists so people can tell their secrets apart."""
    return secret[:PREFIX_LENGTH]


def new_id() -> str:
    return str(uuid.uuid4())
