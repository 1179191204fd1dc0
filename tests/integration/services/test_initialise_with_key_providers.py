"""``initialise`` and ``build`` with the root key in an HSM or the environment, on SQLite."""

from __future__ import annotations

import base64
import os
from pathlib import Path

import pytest

from strongroom.adapters.keyproviders import KeyProviderOptions
from strongroom.audit.service import AuditLog
from strongroom.bootstrap import build, initialise
from strongroom.core.errors import StrongroomError
from strongroom.core.models import Actor, PrincipalKind
from strongroom.settings import Settings, load_settings

ACTOR = Actor(PrincipalKind.LOCAL, "tester", role="admin")


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only the settings each test gives: no STRONGROOM_* of the machine running the tests."""
    for name in list(os.environ):
        if name.startswith("STRONGROOM_"):
            monkeypatch.delenv(name)


def hsm_settings(home: Path, softhsm: KeyProviderOptions) -> Settings:
    return load_settings(
        home=home,
        key_provider="pkcs11",
        pkcs11_module=softhsm.pkcs11_module,
        pkcs11_token_label=softhsm.pkcs11_token_label,
        pkcs11_pin=softhsm.pkcs11_pin,
    )


def test_a_data_home_made_with_the_hsm_opens_with_it(
    tmp_path: Path, softhsm: KeyProviderOptions
) -> None:
    settings = hsm_settings(tmp_path / "home", softhsm)

    report = initialise(settings, passphrase=None, actor=ACTOR)
    app = build(settings, passphrase=None)
    try:
        key_id = app.root_key.key_id
    finally:
        app.close()

    assert key_id == f"pkcs11:{softhsm.pkcs11_token_label}/strongroom-root"
    assert report.root_key_path.startswith(key_id)
    assert not settings.root_key_path.exists()


def test_a_failed_initialise_destroys_the_hsm_key_it_made(
    tmp_path: Path, softhsm: KeyProviderOptions, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = hsm_settings(tmp_path / "home", softhsm)

    def fail(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the audit log is unavailable")

    with monkeypatch.context() as patch:
        patch.setattr(AuditLog, "record", fail)
        with pytest.raises(RuntimeError, match="audit log is unavailable"):
            initialise(settings, passphrase=None, actor=ACTOR)

    # The label is free again: a second try makes a new key instead of meeting the orphan.
    initialise(settings, passphrase=None, actor=ACTOR)
    build(settings, passphrase=None).close()


def test_a_data_home_made_with_an_environment_key_opens_only_with_it(tmp_path: Path) -> None:
    home = tmp_path / "home"
    key = base64.b64encode(os.urandom(32)).decode()
    settings = load_settings(home=home, key_provider="env", root_key=key)

    initialise(settings, passphrase=None, actor=ACTOR)
    build(settings, passphrase=None).close()
    other = load_settings(
        home=home, key_provider="env", root_key=base64.b64encode(os.urandom(32)).decode()
    )

    with pytest.raises(StrongroomError, match="root key") as caught:
        build(other, passphrase=None)

    assert key not in str(caught.value)
    assert not settings.root_key_path.exists()
