"""Second factors without a security key: TOTP (RFC 6238) and single-use recovery codes.

The TOTP secret is kept sealed under the keyring's token key, bound to the person's principal id,
so a copy of the database cannot make codes. A code works once: the last accepted time-step is
stored and only later steps are accepted after it.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import datetime

import pyotp

from strongroom.vault.envelope import ciphertext_key_version, decrypt_field, encrypt_field
from strongroom.vault.keyring import KeyKind
from strongroom.vault.tokenization import TokenKeys

TOTP_DIGITS = 6
TOTP_PERIOD = 30
TOTP_WINDOW = 1  # steps either side of now: 30 s of clock drift
ISSUER = "Strongroom"
RECOVERY_CODE_COUNT = 10
_RECOVERY_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
_RECOVERY_GROUPS, _RECOVERY_GROUP_CHARS = 4, 4
_FIELD = "totp_secret"
_CODE = re.compile(r"^[0-9]{6}$")


def new_totp_secret() -> str:
    """A fresh base32 TOTP secret of 160 bits (RFC 4226's recommended length)."""
    return pyotp.random_base32(32)


def provisioning_uri(secret: str, *, name: str) -> str:
    """The otpauth:// URI an authenticator app reads (as text or a QR code)."""
    return pyotp.TOTP(secret, digits=TOTP_DIGITS, interval=TOTP_PERIOD).provisioning_uri(
        name=name, issuer_name=ISSUER
    )


def seal_totp_secret(keys: TokenKeys, secret: str, *, principal_id: str) -> bytes:
    version, key = keys.current(KeyKind.TOKEN)
    return encrypt_field(
        key, secret.encode("ascii"), record_id=principal_id, field=_FIELD, key_version=version
    )


def open_totp_secret(keys: TokenKeys, sealed: bytes, *, principal_id: str) -> str:
    version = ciphertext_key_version(sealed)
    key = keys.key(KeyKind.TOKEN, version)
    plain = decrypt_field(key, sealed, record_id=principal_id, field=_FIELD, key_version=version)
    return plain.decode("ascii")


def accepted_step(secret: str, code: str, *, now: datetime, last_step: int | None) -> int | None:
    """The time-step ``code`` belongs to, if it is valid now and later than ``last_step``."""
    if not _CODE.match(code):
        return None
    totp = pyotp.TOTP(secret, digits=TOTP_DIGITS, interval=TOTP_PERIOD)
    current = int(now.timestamp()) // TOTP_PERIOD
    for step in range(current - TOTP_WINDOW, current + TOTP_WINDOW + 1):
        if last_step is not None and step <= last_step:
            continue  # used already, or older than a code that was: each code works once
        if hmac.compare_digest(totp.at(step * TOTP_PERIOD), code):
            return step
    return None


def new_recovery_codes() -> list[str]:
    """Ten fresh codes of 80 random bits each, grouped for reading: ``ABCD-EFGH-JKLM-NPQR``."""
    return [_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]


def _recovery_code() -> str:
    groups = (
        "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(_RECOVERY_GROUP_CHARS))
        for _ in range(_RECOVERY_GROUPS)
    )
    return "-".join(groups)


def hash_recovery_code(code: str, *, principal_id: str) -> bytes:
    """SHA-256 of the code as typed in any case and spacing, bound to the person."""
    normalised = re.sub(r"[\s-]", "", code).upper()
    return hashlib.sha256(f"{principal_id}\x00{normalised}".encode()).digest()
