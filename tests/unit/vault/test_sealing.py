"""The root key sealed with a passphrase: round trip, wrong passphrase, malformed files."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from strongroom.core.errors import InvalidInputError, KeyFileError, WrongPassphraseError
from strongroom.vault.sealing import seal_with_passphrase, unseal_with_passphrase

PASSPHRASE = "correct horse battery staple"
SECRET = bytes(range(32))


@pytest.fixture(scope="module")
def sealed() -> bytes:
    return seal_with_passphrase(SECRET, PASSPHRASE)


def _edited(document: bytes, **changes: Any) -> bytes:
    data = json.loads(document)
    for name, value in changes.items():
        if value is None:
            del data[name]
        else:
            data[name] = value
    return json.dumps(data).encode()


def test_a_sealed_secret_opens_with_the_same_passphrase(sealed: bytes) -> None:
    assert unseal_with_passphrase(sealed, PASSPHRASE) == SECRET


def test_the_sealed_document_is_the_documented_json(sealed: bytes) -> None:
    data = json.loads(sealed.decode("utf-8"))

    assert {k: data[k] for k in ("format", "version", "kdf", "n", "r", "p")} == {
        "format": "strongroom-root-key",
        "version": 1,
        "kdf": "scrypt",
        "n": 2**15,
        "r": 8,
        "p": 1,
    }
    assert len(base64.b64decode(data["nonce"])) == 12
    assert len(base64.b64decode(data["salt"])) >= 16
    assert len(base64.b64decode(data["ciphertext"])) == len(SECRET) + 16


def test_sealing_twice_uses_a_fresh_salt_and_nonce(sealed: bytes) -> None:
    again = json.loads(seal_with_passphrase(SECRET, PASSPHRASE))
    first = json.loads(sealed)

    assert again["salt"] != first["salt"]
    assert again["nonce"] != first["nonce"]


def test_a_passphrase_is_matched_whatever_its_unicode_composition() -> None:
    composed = "caf\u00e9 au lait, s'il vous pla\u00eet"
    decomposed = "cafe\u0301 au lait, s'il vous plai\u0302t"

    document = seal_with_passphrase(SECRET, composed)

    assert unseal_with_passphrase(document, decomposed) == SECRET


def test_the_wrong_passphrase_is_refused_and_the_message_says_what_to_check(
    sealed: bytes,
) -> None:
    with pytest.raises(WrongPassphraseError) as caught:
        unseal_with_passphrase(sealed, "correct horse battery stapler")

    assert "STRONGROOM_ROOT_PASSPHRASE" in caught.value.message
    assert "stapler" not in caught.value.message


def test_a_changed_ciphertext_is_refused(sealed: bytes) -> None:
    ciphertext = bytearray(base64.b64decode(json.loads(sealed)["ciphertext"]))
    ciphertext[0] ^= 0x01
    changed = _edited(sealed, ciphertext=base64.b64encode(ciphertext).decode())

    # Tampering and a wrong passphrase cannot be told apart: the tag fails either way.
    with pytest.raises(WrongPassphraseError):
        unseal_with_passphrase(changed, PASSPHRASE)


@pytest.mark.parametrize(
    "passphrase",
    ["", "            ", "eleven char"],
    ids=["empty", "only-spaces", "eleven-characters"],
)
def test_an_empty_or_short_passphrase_is_refused_when_sealing(passphrase: str) -> None:
    with pytest.raises(InvalidInputError, match="12 characters"):
        seal_with_passphrase(SECRET, passphrase)


MALFORMED: dict[str, dict[str, Any] | bytes] = {
    "not-json": b"this is not json",
    "not-utf8": b"\xff\xfe\x00",
    "a-json-list": b"[1, 2, 3]",
    "deeply-nested": b"[" * 100_000,
    "other-format": {"format": "something-else"},
    "no-format": {"format": None},
    "version-2": {"version": 2},
    "version-true": {"version": True},
    "other-kdf": {"kdf": "pbkdf2"},
    "huge-n": {"n": 2**30},
    "n-not-power-of-two": {"n": 2**15 + 1},
    "r-a-string": {"r": "8"},
    "p-missing": {"p": None},
    "salt-not-base64": {"salt": "***"},
    "salt-too-short": {"salt": base64.b64encode(b"short").decode()},
    "nonce-wrong-length": {"nonce": base64.b64encode(b"x" * 16).decode()},
    "ciphertext-missing": {"ciphertext": None},
    "ciphertext-a-number": {"ciphertext": 12},
}


@pytest.mark.parametrize("change", MALFORMED.values(), ids=MALFORMED.keys())
def test_a_malformed_key_file_is_refused_as_not_a_root_key_file(
    sealed: bytes, change: dict[str, Any] | bytes
) -> None:
    document = change if isinstance(change, bytes) else _edited(sealed, **change)

    with pytest.raises(KeyFileError, match="is not a Strongroom root key file"):
        unseal_with_passphrase(document, PASSPHRASE)
