"""Sealing: the root key at rest, protected by a passphrase (scrypt, then AES-256-GCM).

The sealed form is a small JSON document, so an operator can tell what a key file is, and the
scrypt cost travels with it so a later version can raise the cost without breaking old files.
The passphrase is NFC-normalised before use, so the same passphrase typed on systems that compose
accents differently still opens the file.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import unicodedata
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from strongroom.core.errors import InvalidInputError, KeyFileError, WrongPassphraseError

FORMAT = "strongroom-root-key"
VERSION = 1
KDF = "scrypt"
SCRYPT_N = 2**15
SCRYPT_R = 8
SCRYPT_P = 1
MIN_PASSPHRASE_CHARS = 12
_AAD = b"strongroom-root-key:v1"
_SALT_BYTES = 16
_NONCE_BYTES = 12
_TAG_BYTES = 16
_DERIVED_KEY_BYTES = 32
# What a file may ask of scrypt: a changed file must not make opening it take gigabytes or hours.
_SCRYPT_LIMITS = {"n": (2**14, 2**20), "r": (1, 8), "p": (1, 4)}
UNSEAL_REFUSED_MESSAGE = (
    "The root passphrase is wrong: the root key file could not be opened. "
    "Check STRONGROOM_ROOT_PASSPHRASE."
)


@dataclass(frozen=True, slots=True)
class _Sealed:
    n: int
    r: int
    p: int
    salt: bytes
    nonce: bytes
    ciphertext: bytes


def seal_with_passphrase(secret: bytes, passphrase: str) -> bytes:
    """Encrypt ``secret`` under a key derived from ``passphrase``; returns a JSON document."""
    _check_new_passphrase(passphrase)
    salt = os.urandom(_SALT_BYTES)
    nonce = os.urandom(_NONCE_BYTES)
    key = _derive(passphrase, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    document = {
        "format": FORMAT,
        "version": VERSION,
        "kdf": KDF,
        "n": SCRYPT_N,
        "r": SCRYPT_R,
        "p": SCRYPT_P,
        "salt": _b64encode(salt),
        "nonce": _b64encode(nonce),
        "ciphertext": _b64encode(AESGCM(key).encrypt(nonce, secret, _AAD)),
    }
    return (json.dumps(document, indent=2) + "\n").encode("utf-8")


def unseal_with_passphrase(document: bytes, passphrase: str) -> bytes:
    """Decrypt the secret in a document made by ``seal_with_passphrase``."""
    sealed = _parse(document)
    key = _derive(passphrase, sealed.salt, sealed.n, sealed.r, sealed.p)
    try:
        return AESGCM(key).decrypt(sealed.nonce, sealed.ciphertext, _AAD)
    except InvalidTag:
        raise WrongPassphraseError(UNSEAL_REFUSED_MESSAGE) from None


def _check_new_passphrase(passphrase: str) -> None:
    if not passphrase.strip():
        raise InvalidInputError(
            "the root passphrase is empty: choose a passphrase of at least "
            f"{MIN_PASSPHRASE_CHARS} characters"
        )
    if len(passphrase) < MIN_PASSPHRASE_CHARS:
        raise InvalidInputError(
            f"the root passphrase is too short: choose one of at least {MIN_PASSPHRASE_CHARS} "
            "characters (a few unrelated words make a good one)"
        )


def _derive(passphrase: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    # surrogateescape: a passphrase read from a non-UTF-8 environment still maps to its own bytes.
    material = unicodedata.normalize("NFC", passphrase).encode("utf-8", "surrogateescape")
    return Scrypt(salt=salt, length=_DERIVED_KEY_BYTES, n=n, r=r, p=p).derive(material)


def _b64encode(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _not_a_key_file(reason: str) -> KeyFileError:
    return KeyFileError(
        f"the key file is not a Strongroom root key file this version can read ({reason}); "
        "check the key file path, or restore the file from a backup"
    )


def _parse(document: bytes) -> _Sealed:
    try:
        data = json.loads(document.decode("utf-8"))
    except (ValueError, RecursionError):  # UnicodeDecodeError and JSONDecodeError included
        raise _not_a_key_file("it is not JSON") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise _not_a_key_file(f'it has no "format": "{FORMAT}"')
    version = data.get("version")
    if type(version) is not int or version != VERSION:
        raise _not_a_key_file(f"its version is not {VERSION}; a newer Strongroom may read it")
    if data.get("kdf") != KDF:
        raise _not_a_key_file(f'its kdf is not "{KDF}"')
    return _Sealed(
        n=_cost(data, "n"),
        r=_cost(data, "r"),
        p=_cost(data, "p"),
        salt=_b64field(data, "salt", minimum=_SALT_BYTES),
        nonce=_b64field(data, "nonce", minimum=_NONCE_BYTES, maximum=_NONCE_BYTES),
        ciphertext=_b64field(data, "ciphertext", minimum=_TAG_BYTES),
    )


def _cost(data: dict[str, Any], name: str) -> int:
    low, high = _SCRYPT_LIMITS[name]
    value = data.get(name)
    # type() rather than isinstance(): JSON true must not pass for the number 1.
    if type(value) is not int or not low <= value <= high:
        raise _not_a_key_file(f"scrypt parameter {name} is missing or outside {low}..{high}")
    if name == "n" and value & (value - 1):
        raise _not_a_key_file("scrypt parameter n is not a power of two")
    return value


def _b64field(
    data: dict[str, Any], name: str, *, minimum: int, maximum: int | None = None
) -> bytes:
    value = data.get(name)
    try:
        raw = base64.b64decode(value, validate=True) if isinstance(value, str) else None
    except (binascii.Error, ValueError):
        raw = None
    if raw is None or len(raw) < minimum or (maximum is not None and len(raw) > maximum):
        raise _not_a_key_file(f"its {name} is missing, not base64, or the wrong length")
    return raw
