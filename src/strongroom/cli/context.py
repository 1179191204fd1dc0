"""What every command needs: settings, the root passphrase, the app, the local actor."""

from __future__ import annotations

import getpass
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from strongroom.access.tokens import authenticate_token
from strongroom.bootstrap import App, build
from strongroom.core.errors import ConfigurationError
from strongroom.core.models import Actor, PrincipalKind
from strongroom.settings import MIN_PASSPHRASE_LENGTH, Settings, load_settings


def current_settings() -> Settings:
    return load_settings()


def root_passphrase(settings: Settings, *, confirm: bool = False) -> str | None:
    """From STRONGROOM_ROOT_PASSPHRASE, else asked at the terminal; never a default.

    None when the root key does not come from a passphrase-protected file (env, pkcs11).
    """
    if settings.key_provider != "file":
        return None
    if settings.root_passphrase is not None:
        return settings.root_passphrase.get_secret_value()
    if not sys.stdin.isatty():
        raise ConfigurationError(
            "no root passphrase: set STRONGROOM_ROOT_PASSPHRASE or run at a terminal"
        )
    passphrase = getpass.getpass("Root passphrase: ")
    if confirm:
        if len(passphrase) < MIN_PASSPHRASE_LENGTH:
            raise ConfigurationError(
                f"the root passphrase must be at least {MIN_PASSPHRASE_LENGTH} characters"
            )
        if getpass.getpass("Repeat it: ") != passphrase:
            raise ConfigurationError("the two passphrases differ")
    return passphrase


@contextmanager
def open_app(settings: Settings | None = None, *, passphrase: str | None = None) -> Iterator[App]:
    """The wired app for one command, closed afterwards (asks for the passphrase if needed)."""
    settings = settings or current_settings()
    app = build(settings, passphrase=passphrase or root_passphrase(settings))
    try:
        yield app
    finally:
        app.close()


def local_actor() -> Actor:
    """The operator at the server's console: holds the root passphrase, so administers."""
    return Actor(PrincipalKind.LOCAL, getpass.getuser(), role="admin")


def staff_actor(app: App, token: str | None) -> Actor:
    """The staff member whose API token is given, else STRONGROOM_TOKEN (audited if refused)."""
    settings = app.settings
    secret = token or (settings.token.get_secret_value() if settings.token else None)
    return authenticate_token(uow_factory=app.uow_factory, audit=app.audit, token=secret)
