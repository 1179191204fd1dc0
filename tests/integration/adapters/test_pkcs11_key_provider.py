"""The PKCS#11 root key on a real SoftHSM2 token: it wraps inside the HSM and never leaves it."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pkcs11
import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from pkcs11 import Attribute, KeyType, ObjectClass
from pkcs11.exceptions import AttributeSensitive
from pkcs11.types import Session

from strongroom.adapters.keyproviders import KEY_PROVIDERS, KeyProviderOptions
from strongroom.adapters.keyproviders_pkcs11 import Pkcs11KeyProvider
from strongroom.core.errors import ConfigurationError, ConflictError, DecryptionError, VaultError
from strongroom.vault.envelope import new_key, wrap_key
from strongroom.vault.keyring import KeyKind, Keyring, data_key_context

CONTEXT = data_key_context(KeyKind.FIELD_KEK, 1)


@contextmanager
def token_session(options: KeyProviderOptions, *, rw: bool = False) -> Iterator[Session]:
    """A session of our own on the test token (closed before the provider is used again)."""
    assert options.pkcs11_module is not None
    library = pkcs11.lib(str(options.pkcs11_module))
    token = library.get_token(token_label=options.pkcs11_token_label)
    with token.open(rw=rw, user_pin=options.pkcs11_pin) as session:
        yield session


def root_key_attributes(options: KeyProviderOptions) -> dict[Attribute, Any]:
    names = [
        Attribute.TOKEN,
        Attribute.PRIVATE,
        Attribute.SENSITIVE,
        Attribute.EXTRACTABLE,
        Attribute.ALWAYS_SENSITIVE,
        Attribute.NEVER_EXTRACTABLE,
        Attribute.ENCRYPT,
        Attribute.DECRYPT,
        Attribute.WRAP,
        Attribute.UNWRAP,
        Attribute.SIGN,
        Attribute.DERIVE,
        Attribute.KEY_TYPE,
        Attribute.VALUE_LEN,
    ]
    with token_session(options) as session:
        key = session.get_key(object_class=ObjectClass.SECRET_KEY, label=options.pkcs11_key_label)
        attributes = {name: key[name] for name in names}
        with pytest.raises(AttributeSensitive):
            key[Attribute.VALUE]
    return attributes


def import_known_key(
    options: KeyProviderOptions, value: bytes, extra: dict[Attribute, Any] | None = None
) -> None:
    """Put an AES key whose value the test knows on the token, under the options' key label."""
    template = {
        Attribute.CLASS: ObjectClass.SECRET_KEY,
        Attribute.KEY_TYPE: KeyType.AES,
        Attribute.VALUE: value,
        Attribute.LABEL: options.pkcs11_key_label,
        Attribute.TOKEN: True,
        Attribute.PRIVATE: True,
        Attribute.ENCRYPT: True,
        Attribute.DECRYPT: True,
        Attribute.SENSITIVE: True,
        Attribute.EXTRACTABLE: False,
        **(extra or {}),
    }
    with token_session(options, rw=True) as session:
        session.create_object(template)


def test_the_registry_offers_the_hsm_as_pkcs11() -> None:
    assert KEY_PROVIDERS["pkcs11"] is Pkcs11KeyProvider


def test_a_created_hsm_root_key_wraps_and_unwraps_a_data_key(softhsm: KeyProviderOptions) -> None:
    created = Pkcs11KeyProvider.from_options(softhsm).create()
    data_key = new_key()

    wrapped = created.wrap(data_key, context=CONTEXT)
    reopened = Pkcs11KeyProvider.from_options(softhsm).load()

    assert len(wrapped) == 12 + 32 + 16  # nonce, ciphertext, tag
    assert data_key not in wrapped
    assert created.wrap(data_key, context=CONTEXT) != wrapped  # a fresh nonce each time
    assert reopened.unwrap(wrapped, context=CONTEXT) == data_key
    assert reopened.key_id == f"pkcs11:{softhsm.pkcs11_token_label}/strongroom-root"


def test_a_key_wrapped_for_one_context_is_refused_for_another(softhsm: KeyProviderOptions) -> None:
    root_key = Pkcs11KeyProvider.from_options(softhsm).create()
    wrapped = root_key.wrap(new_key(), context=CONTEXT)

    with pytest.raises(DecryptionError, match="could not be unwrapped"):
        root_key.unwrap(wrapped, context=data_key_context(KeyKind.BLIND_INDEX, 1))


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda w: w[:-1] + bytes([w[-1] ^ 1]), id="tag-changed"),
        pytest.param(lambda w: bytes([w[0] ^ 1]) + w[1:], id="nonce-changed"),
        pytest.param(lambda w: w[:20], id="truncated"),
        pytest.param(lambda w: w[:8], id="shorter-than-a-nonce-and-tag"),
    ],
)
def test_a_damaged_wrapped_key_is_refused_not_misread(
    softhsm: KeyProviderOptions, damage: Any
) -> None:
    root_key = Pkcs11KeyProvider.from_options(softhsm).create()
    wrapped = root_key.wrap(new_key(), context=CONTEXT)

    with pytest.raises(DecryptionError):
        root_key.unwrap(damage(wrapped), context=CONTEXT)

    assert len(root_key.unwrap(wrapped, context=CONTEXT)) == 32  # the session is still usable


def test_the_root_key_is_a_sensitive_never_extractable_aes_256_token_key(
    softhsm: KeyProviderOptions,
) -> None:
    Pkcs11KeyProvider.from_options(softhsm).create()

    attributes = root_key_attributes(softhsm)

    assert attributes == {
        Attribute.TOKEN: True,
        Attribute.PRIVATE: True,
        Attribute.SENSITIVE: True,
        Attribute.EXTRACTABLE: False,
        Attribute.ALWAYS_SENSITIVE: True,
        Attribute.NEVER_EXTRACTABLE: True,
        Attribute.ENCRYPT: True,
        Attribute.DECRYPT: True,
        Attribute.WRAP: False,
        Attribute.UNWRAP: False,
        Attribute.SIGN: False,
        Attribute.DERIVE: False,
        Attribute.KEY_TYPE: KeyType.AES,
        Attribute.VALUE_LEN: 32,
    }


def test_the_hsm_wraps_as_aes_gcm_with_the_nonce_first_and_the_context_as_aad(
    softhsm: KeyProviderOptions,
) -> None:
    value = new_key()
    import_known_key(softhsm, value)
    root_key = Pkcs11KeyProvider.from_options(softhsm).load()
    data_key = new_key()

    by_hsm = root_key.wrap(data_key, context=CONTEXT)
    by_software = wrap_key(value, data_key, context=CONTEXT)

    assert AESGCM(value).decrypt(by_hsm[:12], by_hsm[12:], CONTEXT.encode()) == data_key
    assert root_key.unwrap(by_software, context=CONTEXT) == data_key


def test_a_wrong_pin_is_refused_without_showing_the_pin(softhsm: KeyProviderOptions) -> None:
    Pkcs11KeyProvider.from_options(softhsm).create()
    wrong = replace(softhsm, pkcs11_pin="not-the-pin-4711")

    with pytest.raises(VaultError, match="refused the PIN") as caught:
        Pkcs11KeyProvider.from_options(wrong).load()

    assert "not-the-pin-4711" not in caught.value.message
    assert str(softhsm.pkcs11_pin) not in caught.value.message


def test_a_missing_root_key_says_to_run_strongroom_init(softhsm: KeyProviderOptions) -> None:
    with pytest.raises(VaultError, match="run `strongroom init`") as caught:
        Pkcs11KeyProvider.from_options(softhsm).load()

    assert "'strongroom-root'" in caught.value.message


def test_another_key_label_finds_no_root_key(softhsm: KeyProviderOptions) -> None:
    Pkcs11KeyProvider.from_options(softhsm).create()

    with pytest.raises(VaultError, match="STRONGROOM_PKCS11_KEY_LABEL"):
        Pkcs11KeyProvider.from_options(replace(softhsm, pkcs11_key_label="elsewhere")).load()


def test_a_missing_token_is_a_configuration_error(softhsm: KeyProviderOptions) -> None:
    absent = replace(softhsm, pkcs11_token_label="no-such-token")

    with pytest.raises(ConfigurationError, match="no token labelled 'no-such-token'"):
        Pkcs11KeyProvider.from_options(absent).load()


def test_a_missing_module_is_a_configuration_error(tmp_path: Path) -> None:
    options = KeyProviderOptions(
        root_key_path=tmp_path / "unused",
        pkcs11_module=tmp_path / "no-such-module.so",
        pkcs11_token_label="any",
        pkcs11_pin="123456",
    )

    with pytest.raises(ConfigurationError, match="STRONGROOM_PKCS11_MODULE") as caught:
        Pkcs11KeyProvider.from_options(options).load()

    assert "123456" not in caught.value.message


def test_options_without_a_pin_are_refused_before_touching_the_hsm(tmp_path: Path) -> None:
    options = KeyProviderOptions(
        root_key_path=tmp_path / "unused", pkcs11_module=tmp_path / "m.so", pkcs11_token_label="t"
    )

    with pytest.raises(ConfigurationError, match="STRONGROOM_PKCS11_PIN"):
        Pkcs11KeyProvider.from_options(options)


def test_create_refuses_a_label_already_taken_and_keeps_the_old_key(
    softhsm: KeyProviderOptions,
) -> None:
    first = Pkcs11KeyProvider.from_options(softhsm).create()
    data_key = new_key()
    wrapped = first.wrap(data_key, context=CONTEXT)

    with pytest.raises(ConflictError, match="already holds an object labelled 'strongroom-root'"):
        Pkcs11KeyProvider.from_options(softhsm).create()

    assert (
        Pkcs11KeyProvider.from_options(softhsm).load().unwrap(wrapped, context=CONTEXT) == data_key
    )


def test_discard_destroys_the_key_create_made(softhsm: KeyProviderOptions) -> None:
    provider = Pkcs11KeyProvider.from_options(softhsm)
    provider.create()

    provider.discard()

    with pytest.raises(VaultError, match="holds no secret key"):
        provider.load()


def test_an_extractable_key_is_refused_outside_dev_mode(softhsm: KeyProviderOptions) -> None:
    import_known_key(softhsm, new_key(), {Attribute.EXTRACTABLE: True})

    with pytest.raises(VaultError, match="could be read out of the HSM"):
        Pkcs11KeyProvider.from_options(softhsm).load()

    assert Pkcs11KeyProvider.from_options(replace(softhsm, dev_mode=True)).load()


def test_a_key_that_is_not_aes_256_is_refused(softhsm: KeyProviderOptions) -> None:
    import_known_key(softhsm, os.urandom(16))

    with pytest.raises(VaultError, match="not an AES-256 key"):
        Pkcs11KeyProvider.from_options(softhsm).load()


def test_the_keyring_is_created_and_opened_with_the_hsm_root_key(
    softhsm: KeyProviderOptions,
) -> None:
    created = Pkcs11KeyProvider.from_options(softhsm).create()
    wrapped = Keyring.create_initial(created, now=datetime.now(UTC))

    keyring = Keyring.open(Pkcs11KeyProvider.from_options(softhsm).load(), wrapped)

    assert {kind for kind in KeyKind if keyring.versions(kind)} == set(KeyKind)
    assert all(len(keyring.current(kind)[1]) == 32 for kind in KeyKind)


def test_threads_unwrapping_at_once_all_succeed(softhsm: KeyProviderOptions) -> None:
    root_key = Pkcs11KeyProvider.from_options(softhsm).create()
    keys = [new_key() for _ in range(8)]
    wrapped = [root_key.wrap(key, context=CONTEXT) for key in keys]
    failures: list[BaseException] = []
    mismatches: list[int] = []

    def unwrap_many(index: int) -> None:
        try:
            for _ in range(25):
                if root_key.unwrap(wrapped[index], context=CONTEXT) != keys[index]:
                    mismatches.append(index)
        except BaseException as error:  # collected here, asserted below
            failures.append(error)

    threads = [threading.Thread(target=unwrap_many, args=(i,)) for i in range(len(keys))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert failures == []
    assert mismatches == []


def test_the_provider_and_root_key_never_show_the_pin(softhsm: KeyProviderOptions) -> None:
    provider = Pkcs11KeyProvider.from_options(softhsm)
    root_key = provider.create()

    assert str(softhsm.pkcs11_pin) not in repr(provider)
    assert str(softhsm.pkcs11_pin) not in repr(root_key)
    assert str(softhsm.pkcs11_pin) not in repr(softhsm)
