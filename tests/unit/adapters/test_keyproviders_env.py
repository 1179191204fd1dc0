"""The root key from STRONGROOM_ROOT_KEY: 32 bytes in base64, checked, never echoed back."""

from __future__ import annotations

import base64
import os
from pathlib import Path

import pytest

from strongroom.adapters.keyproviders import KEY_PROVIDERS, KeyProviderOptions
from strongroom.adapters.keyproviders_env import (
    GENERATE_ROOT_KEY_COMMAND,
    EnvKeyProvider,
    decode_root_key,
)
from strongroom.core.errors import ConfigurationError

KEY = bytes(range(7, 39))  # 32 distinct bytes, so every encoding below differs from the others


def test_the_registry_offers_the_environment_as_env() -> None:
    assert KEY_PROVIDERS["env"] is EnvKeyProvider


@pytest.mark.parametrize(
    "encoded",
    [
        pytest.param(base64.b64encode(KEY).decode(), id="standard"),
        pytest.param(base64.urlsafe_b64encode(KEY).decode(), id="urlsafe"),
        pytest.param(base64.b64encode(KEY).decode().rstrip("="), id="standard-unpadded"),
        pytest.param(base64.urlsafe_b64encode(KEY).decode().rstrip("="), id="urlsafe-unpadded"),
        pytest.param(f"  {base64.b64encode(KEY).decode()}\n", id="with-whitespace"),
    ],
)
def test_a_base64_root_key_in_either_alphabet_loads(encoded: str) -> None:
    assert EnvKeyProvider(encoded).load().material == KEY


def test_a_random_key_as_the_suggested_command_prints_it_loads() -> None:
    key = os.urandom(32)

    root_key = EnvKeyProvider(base64.b64encode(key).decode()).load()

    assert root_key.material == key
    assert root_key.key_id.startswith("local:")


def test_both_alphabets_name_the_same_root_key() -> None:
    standard = EnvKeyProvider(base64.b64encode(KEY).decode()).load()
    urlsafe = EnvKeyProvider(base64.urlsafe_b64encode(KEY).decode()).load()

    assert standard.key_id == urlsafe.key_id


@pytest.mark.parametrize("size", [0, 1, 16, 31, 33, 64])
def test_a_key_of_the_wrong_length_is_refused_saying_so(size: int) -> None:
    encoded = base64.b64encode(os.urandom(size)).decode()

    with pytest.raises(ConfigurationError) as caught:
        decode_root_key(encoded)

    expected = "is not set" if size == 0 else f"decodes to {size} bytes, not 32"
    assert expected in caught.value.message


@pytest.mark.parametrize(
    "encoded",
    [
        pytest.param("this is not base64 at all!", id="punctuation"),
        pytest.param(base64.b64encode(KEY).decode()[:-2] + "*=", id="one-bad-character"),
        pytest.param("ab+/cd-_" * 6, id="mixed-alphabets"),
        pytest.param("=" + base64.b64encode(KEY).decode(), id="padding-first"),
    ],
)
def test_a_value_that_is_not_base64_is_refused(encoded: str) -> None:
    with pytest.raises(ConfigurationError, match="is not base64"):
        decode_root_key(encoded)


@pytest.mark.parametrize("missing", [None, "", "   \n"])
def test_a_missing_key_says_how_to_generate_one(missing: str | None) -> None:
    with pytest.raises(ConfigurationError) as caught:
        EnvKeyProvider(missing).load()

    assert "STRONGROOM_ROOT_KEY is not set" in caught.value.message
    assert GENERATE_ROOT_KEY_COMMAND in caught.value.message


@pytest.mark.parametrize("placeholder", [bytes(32), b"A" * 32, b"0123" * 8])
def test_a_placeholder_key_is_refused(placeholder: bytes) -> None:
    with pytest.raises(ConfigurationError, match="looks like a placeholder"):
        decode_root_key(base64.b64encode(placeholder).decode())


@pytest.mark.parametrize(
    "encoded",
    [
        base64.b64encode(os.urandom(16)).decode(),
        base64.b64encode(os.urandom(48)).decode(),
        "S3cr3t-but-not-base64-!!",
        "ab+/cd-_" * 6,
        base64.b64encode(b"Z" * 32).decode(),
    ],
)
def test_no_error_message_contains_the_value(encoded: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        decode_root_key(encoded)

    message = caught.value.message
    assert encoded not in message
    assert encoded[:12] not in message


def test_create_uses_the_given_key_and_makes_none_up() -> None:
    encoded = base64.b64encode(KEY).decode()

    assert EnvKeyProvider(encoded).create().material == KEY
    with pytest.raises(ConfigurationError, match="generate a root key with"):
        EnvKeyProvider(None).create()


def test_the_provider_never_shows_the_key(tmp_path: Path) -> None:
    encoded = base64.b64encode(KEY).decode()
    provider = EnvKeyProvider.from_options(
        KeyProviderOptions(root_key_path=tmp_path / "unused", root_key=encoded)
    )

    assert encoded not in repr(provider)
    assert encoded not in provider.location
    assert provider.load().material == KEY
