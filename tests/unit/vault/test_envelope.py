"""Envelope encryption: wrapped keys and field ciphertexts bound to their place."""

from __future__ import annotations

import pytest

from strongroom.core.errors import DecryptionError, VaultError
from strongroom.vault.envelope import (
    ROOT_KEY_BYTES,
    ciphertext_key_version,
    decrypt_field,
    encrypt_field,
    new_key,
    unwrap_key,
    wrap_key,
)

KEY = bytes(range(32))
OTHER_KEY = bytes(range(1, 33))
PLAINTEXT = b'"ada@example.com"'
CONTEXT = "subject-key:cus_1:v1"
HEADER, NONCE = 5, 12


def _sealed(key_version: int = 3) -> bytes:
    return encrypt_field(KEY, PLAINTEXT, record_id="cus_1", field="email", key_version=key_version)


def test_new_keys_are_256_bits_and_different_each_time() -> None:
    keys = {new_key() for _ in range(8)}

    assert len(keys) == 8
    assert all(len(key) == ROOT_KEY_BYTES == 32 for key in keys)


def test_a_wrapped_key_unwraps_with_the_same_kek_and_context() -> None:
    key = new_key()

    wrapped = wrap_key(KEY, key, context=CONTEXT)

    assert key not in wrapped
    assert unwrap_key(KEY, wrapped, context=CONTEXT) == key


@pytest.mark.parametrize(
    ("kek", "context", "cut"),
    [
        (KEY, "subject-key:cus_2:v1", 0),
        (KEY, "subject-key:cus_1:v2", 0),
        (OTHER_KEY, CONTEXT, 0),
        (KEY, CONTEXT, 20),
    ],
    ids=["other-customer", "other-kek-version", "other-kek", "truncated"],
)
def test_a_wrapped_key_is_refused_elsewhere_without_showing_key_bytes(
    kek: bytes, context: str, cut: int
) -> None:
    key = new_key()
    wrapped = wrap_key(KEY, key, context=CONTEXT)
    wrapped = wrapped[: len(wrapped) - cut]

    with pytest.raises(DecryptionError, match="subject-key") as caught:
        unwrap_key(kek, wrapped, context=context)

    for secret in (key, kek):
        assert secret.hex() not in caught.value.message
        assert repr(secret) not in caught.value.message


@pytest.mark.parametrize("plaintext", [b"", PLAINTEXT, "日本語".encode(), bytes(10_000)])
def test_a_field_value_round_trips(plaintext: bytes) -> None:
    sealed = encrypt_field(KEY, plaintext, record_id="cus_1", field="email", key_version=7)

    assert decrypt_field(KEY, sealed, record_id="cus_1", field="email", key_version=7) == plaintext
    assert decrypt_field(KEY, sealed, record_id="cus_1", field="email") == plaintext


def test_a_field_ciphertext_has_the_documented_layout() -> None:
    sealed = _sealed(key_version=258)

    assert sealed[0] == 0x01
    assert sealed[1:HEADER] == (258).to_bytes(4, "big")
    assert len(sealed) == HEADER + NONCE + len(PLAINTEXT) + 16
    assert ciphertext_key_version(sealed) == 258


def test_the_same_value_encrypts_differently_each_time() -> None:
    assert _sealed() != _sealed()


@pytest.mark.parametrize(
    ("record_id", "field"),
    [("cus_2", "email"), ("cus_1", "phone"), ("cus_1e", "mail"), ("cus_", "1email")],
    ids=["other-record", "other-field", "shifted-boundary", "shifted-the-other-way"],
)
def test_a_ciphertext_moved_to_another_record_or_field_is_refused(
    record_id: str, field: str
) -> None:
    with pytest.raises(DecryptionError, match="does not authenticate"):
        decrypt_field(KEY, _sealed(), record_id=record_id, field=field)


def test_a_ciphertext_read_with_another_key_version_is_refused() -> None:
    with pytest.raises(DecryptionError, match="key version 3, not 4"):
        decrypt_field(KEY, _sealed(3), record_id="cus_1", field="email", key_version=4)


def test_a_ciphertext_whose_header_version_was_changed_is_refused() -> None:
    sealed = bytearray(_sealed(3))
    sealed[1:HEADER] = (4).to_bytes(4, "big")

    with pytest.raises(DecryptionError, match="does not authenticate"):
        decrypt_field(KEY, bytes(sealed), record_id="cus_1", field="email", key_version=4)


@pytest.mark.parametrize("position", [HEADER, HEADER + NONCE, -1], ids=["nonce", "body", "tag"])
def test_a_ciphertext_with_a_flipped_bit_is_refused(position: int) -> None:
    sealed = bytearray(_sealed())
    sealed[position] ^= 0x80

    with pytest.raises(DecryptionError, match="does not authenticate"):
        decrypt_field(KEY, bytes(sealed), record_id="cus_1", field="email")


def test_a_ciphertext_under_another_key_is_refused() -> None:
    with pytest.raises(DecryptionError, match="does not authenticate"):
        decrypt_field(OTHER_KEY, _sealed(), record_id="cus_1", field="email")


@pytest.mark.parametrize("length", [0, 1, HEADER, HEADER + NONCE + 15])
def test_a_truncated_ciphertext_is_refused(length: int) -> None:
    truncated = _sealed()[:length]

    with pytest.raises(DecryptionError) as caught:
        decrypt_field(KEY, truncated, record_id="cus_1", field="email")

    assert caught.value.message.startswith(
        "ciphertext for field 'email' of record cus_1 is truncated or corrupted"
    )
    with pytest.raises(DecryptionError, match="truncated or corrupted"):
        ciphertext_key_version(truncated)


def test_a_ciphertext_in_an_unknown_format_is_refused() -> None:
    sealed = b"\x02" + _sealed()[1:]

    with pytest.raises(DecryptionError, match="truncated or corrupted"):
        decrypt_field(KEY, sealed, record_id="cus_1", field="email")


def test_decryption_errors_never_contain_the_plaintext() -> None:
    messages = []
    for record_id, key_version in [("cus_2", None), ("cus_1", 9)]:
        with pytest.raises(DecryptionError) as caught:
            decrypt_field(
                KEY, _sealed(), record_id=record_id, field="email", key_version=key_version
            )
        messages.append(caught.value.message)

    assert all("ada" not in message for message in messages)


@pytest.mark.parametrize("key", [b"", bytes(16), bytes(33)], ids=["empty", "aes-128", "33-bytes"])
def test_a_key_that_is_not_256_bits_is_refused(key: bytes) -> None:
    with pytest.raises(VaultError, match="must be 32 bytes"):
        encrypt_field(key, PLAINTEXT, record_id="cus_1", field="email", key_version=1)


@pytest.mark.parametrize("key_version", [-1, 2**32])
def test_a_key_version_that_does_not_fit_the_header_is_refused(key_version: int) -> None:
    with pytest.raises(VaultError, match="does not fit"):
        _sealed(key_version)
