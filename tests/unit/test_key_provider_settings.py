"""Choosing the root key provider: settings validated at start-up, then the registry's class."""

from __future__ import annotations

import base64
import os
from pathlib import Path
from typing import get_args

import pytest

from strongroom.adapters.keyproviders import KEY_PROVIDERS, PassphraseFileKeyProvider
from strongroom.adapters.keyproviders_env import EnvKeyProvider
from strongroom.adapters.keyproviders_pkcs11 import Pkcs11KeyProvider
from strongroom.bootstrap import provider_for
from strongroom.core.errors import ConfigurationError
from strongroom.settings import KeyProviderName, Settings, load_settings

MODULE = "/usr/lib/softhsm/libsofthsm2.so"
PIN = "pin-that-must-not-show-4711"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only what each test gives: no STRONGROOM_* of the machine running the tests."""
    for name in list(os.environ):
        if name.startswith("STRONGROOM_"):
            monkeypatch.delenv(name)


def pkcs11_settings(tmp_path: Path, **overrides: object) -> Settings:
    given: dict[str, object] = {
        "home": tmp_path,
        "key_provider": "pkcs11",
        "pkcs11_module": MODULE,
        "pkcs11_token_label": "strongroom",
        "pkcs11_pin": PIN,
    }
    return load_settings(**(given | overrides))


def test_the_settings_name_exactly_the_registered_providers() -> None:
    assert set(get_args(KeyProviderName)) == set(KEY_PROVIDERS)


def test_the_file_provider_is_the_default(tmp_path: Path) -> None:
    settings = load_settings(home=tmp_path)

    provider = provider_for(settings, passphrase="a long enough passphrase")

    assert settings.key_provider == "file"
    assert isinstance(provider, PassphraseFileKeyProvider)
    assert provider.location == str(tmp_path / "root.key")


def test_the_env_provider_gets_the_root_key_from_the_settings(tmp_path: Path) -> None:
    key = os.urandom(32)
    settings = load_settings(
        home=tmp_path, key_provider="env", root_key=base64.b64encode(key).decode()
    )

    provider = provider_for(settings, passphrase=None)

    assert isinstance(provider, EnvKeyProvider)
    assert provider.load().material == key


def test_the_pkcs11_provider_gets_module_token_pin_and_label(tmp_path: Path) -> None:
    settings = pkcs11_settings(tmp_path, pkcs11_key_label="root-2026")

    provider = provider_for(settings, passphrase=None)

    assert isinstance(provider, Pkcs11KeyProvider)
    assert provider.location == f"pkcs11:strongroom/root-2026 in {MODULE}"
    assert PIN not in repr(provider)
    assert PIN not in repr(settings)


def test_the_pkcs11_key_label_defaults_to_strongroom_root(tmp_path: Path) -> None:
    assert pkcs11_settings(tmp_path).pkcs11_key_label == "strongroom-root"


@pytest.mark.parametrize(
    "unset", ["pkcs11_module", "pkcs11_token_label", "pkcs11_pin"], ids=lambda name: name
)
def test_pkcs11_without_module_token_or_pin_fails_at_start_up(tmp_path: Path, unset: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        pkcs11_settings(tmp_path, **{unset: None})

    assert f"STRONGROOM_{unset.upper()} is not set" in caught.value.message
    assert PIN not in caught.value.message


def test_pkcs11_with_nothing_names_every_missing_setting(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError) as caught:
        load_settings(home=tmp_path, key_provider="pkcs11")

    assert caught.value.message == (
        "invalid settings: STRONGROOM_KEY_PROVIDER is pkcs11 but STRONGROOM_PKCS11_MODULE and "
        "STRONGROOM_PKCS11_TOKEN_LABEL and STRONGROOM_PKCS11_PIN are not set: set the HSM's "
        "module path, token label and user PIN"
    )


def test_a_relative_pkcs11_module_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="must be an absolute path"):
        pkcs11_settings(tmp_path, pkcs11_module="libsofthsm2.so")


@pytest.mark.parametrize("root_key", [None, "", "  "])
def test_env_without_a_root_key_fails_at_start_up(tmp_path: Path, root_key: str | None) -> None:
    with pytest.raises(ConfigurationError, match="STRONGROOM_ROOT_KEY is not set"):
        load_settings(home=tmp_path, key_provider="env", root_key=root_key)


def test_an_unknown_provider_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="invalid setting key_provider"):
        load_settings(home=tmp_path, key_provider="vault")


def test_the_settings_read_the_provider_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STRONGROOM_HOME", str(tmp_path))
    monkeypatch.setenv("STRONGROOM_KEY_PROVIDER", "pkcs11")
    monkeypatch.setenv("STRONGROOM_PKCS11_MODULE", MODULE)
    monkeypatch.setenv("STRONGROOM_PKCS11_TOKEN_LABEL", "hsm")
    monkeypatch.setenv("STRONGROOM_PKCS11_PIN", PIN)
    monkeypatch.setenv("STRONGROOM_PKCS11_KEY_LABEL", "root")

    settings = load_settings()

    assert settings.key_provider == "pkcs11"
    assert settings.pkcs11_module == Path(MODULE)
    assert settings.pkcs11_pin is not None
    assert settings.pkcs11_pin.get_secret_value() == PIN
    assert (settings.pkcs11_token_label, settings.pkcs11_key_label) == ("hsm", "root")
