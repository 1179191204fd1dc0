"""The root key handed in through the environment (``STRONGROOM_ROOT_KEY``), for containers.

Settings reads the variable (only settings reads the environment); this provider decodes and
checks the value it is given. Error messages say what is wrong with the value, never the value.
"""

from __future__ import annotations

import base64
import binascii
from typing import TYPE_CHECKING, Self

from strongroom.core.errors import ConfigurationError
from strongroom.vault.envelope import ROOT_KEY_BYTES
from strongroom.vault.rootkey import LocalRootKey

if TYPE_CHECKING:  # only for annotations: keyproviders imports this module for its registry
    from strongroom.adapters.keyproviders import KeyProviderOptions

ROOT_KEY_VARIABLE = "STRONGROOM_ROOT_KEY"
GENERATE_ROOT_KEY_COMMAND = (
    'python3 -c "import os,base64;print(base64.b64encode(os.urandom(32)).decode())"'
)
# 32 random bytes hold about 28 distinct values; fewer than 8 is a placeholder such as "AAAA...".
_MIN_DISTINCT_BYTES = 8
_HOW_TO_MAKE_ONE = (
    f"generate a root key with `{GENERATE_ROOT_KEY_COMMAND}` and set {ROOT_KEY_VARIABLE}"
)


def decode_root_key(encoded: str | None) -> bytes:
    """Decode a root key from base64 (standard or URL-safe, padding optional); check it."""
    text = "".join((encoded or "").split())
    if not text:
        raise ConfigurationError(f"{ROOT_KEY_VARIABLE} is not set: {_HOW_TO_MAKE_ONE}")
    urlsafe = "-" in text or "_" in text
    if urlsafe and ("+" in text or "/" in text):
        raise _not_base64("it mixes the standard and the URL-safe alphabets")
    padded = text + "=" * (-len(text) % 4)
    try:
        material = base64.b64decode(padded, altchars=b"-_" if urlsafe else None, validate=True)
    except (binascii.Error, ValueError):
        raise _not_base64(
            "it holds characters outside base64, or padding in the wrong place"
        ) from None
    if len(material) != ROOT_KEY_BYTES:
        raise ConfigurationError(
            f"{ROOT_KEY_VARIABLE} decodes to {len(material)} bytes, not {ROOT_KEY_BYTES}: "
            f"{_HOW_TO_MAKE_ONE}"
        )
    if len(set(material)) < _MIN_DISTINCT_BYTES:
        raise ConfigurationError(
            f"{ROOT_KEY_VARIABLE} looks like a placeholder, not random bytes: {_HOW_TO_MAKE_ONE}"
        )
    return material


def _not_base64(reason: str) -> ConfigurationError:
    return ConfigurationError(f"{ROOT_KEY_VARIABLE} is not base64 ({reason}): {_HOW_TO_MAKE_ONE}")


class EnvKeyProvider:
    """The root key as 32 bytes in base64 in ``STRONGROOM_ROOT_KEY``; held in memory."""

    def __init__(self, encoded: str | None) -> None:
        self._encoded = encoded

    @classmethod
    def from_options(cls, options: KeyProviderOptions) -> Self:
        return cls(options.root_key)

    def __repr__(self) -> str:
        return "EnvKeyProvider(root_key=**********)"

    @property
    def location(self) -> str:
        return f"{ROOT_KEY_VARIABLE} (from the environment)"

    @property
    def advice(self) -> str:
        return "keep it in your secret store: without it nothing encrypted can be read"

    def load(self) -> LocalRootKey:
        """Decode the root key from the value given."""
        return LocalRootKey(decode_root_key(self._encoded))

    def create(self) -> LocalRootKey:
        """Use the given key for a new data home: this provider never makes a key up itself."""
        return self.load()

    def discard(self) -> None:
        """Nothing to undo: the key lives in the environment, never here."""
