"""The keyring: versioned data keys, each wrapped by the root key, opened into memory.

Each kind of key is versioned on its own. The newest version is the current one, used for new
data; older versions stay so that what they protected can still be read.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum

from strongroom.core.errors import DecryptionError, VaultError
from strongroom.core.models import WrappedDataKey
from strongroom.core.ports import RootKey
from strongroom.vault.envelope import ROOT_KEY_BYTES, new_key


class KeyKind(StrEnum):
    """What a data key is for."""

    FIELD_KEK = "field-kek"
    BLIND_INDEX = "blind-index"
    PSEUDONYM = "pseudonym"
    TOKEN = "token"  # noqa: S105 (the name of a kind of key, not a key)
    AUDIT_SIGNING = "audit-signing"
    BACKUP = "backup"


def data_key_context(kind: KeyKind, version: int) -> str:
    """Return the wrapping context that binds a data key to its kind and version."""
    return f"data-key:{kind}:v{version}"


class Keyring:
    """Unwrapped data keys by kind and version, held in memory only."""

    __slots__ = ("_keys",)

    def __init__(self, keys: dict[KeyKind, dict[int, bytes]]) -> None:
        self._keys = {KeyKind(kind): dict(versions) for kind, versions in keys.items()}

    @classmethod
    def open(cls, root_key: RootKey, wrapped: Sequence[WrappedDataKey]) -> Keyring:
        """Unwrap every stored data key with ``root_key``."""
        keys: dict[KeyKind, dict[int, bytes]] = {}
        for item in wrapped:
            kind = _kind(item.kind)
            versions = keys.setdefault(kind, {})
            if item.version in versions:
                raise VaultError(
                    f"the keyring holds {kind} key version {item.version} twice: "
                    "the data key table is damaged; restore it from a backup"
                )
            versions[item.version] = _unwrap(root_key, kind, item)
        return cls(keys)

    @staticmethod
    def create_initial(root_key: RootKey, *, now: datetime) -> list[WrappedDataKey]:
        """Make version 1 of every kind of data key, wrapped by ``root_key``, ready to store."""
        return [
            WrappedDataKey(
                kind=kind.value,
                version=1,
                wrapped=root_key.wrap(new_key(), context=data_key_context(kind, 1)),
                created_at=now,
            )
            for kind in KeyKind
        ]

    def versions(self, kind: KeyKind) -> list[int]:
        """Return the versions of ``kind`` held, oldest first."""
        return sorted(self._keys.get(kind, {}))

    def current_version(self, kind: KeyKind) -> int:
        """Return the newest version of ``kind``: the one new data is written with."""
        versions = self.versions(kind)
        if not versions:
            raise VaultError(
                f"the keyring has no {kind} key: the data home was made by an older Strongroom "
                "or its data key table is damaged; restore it from a backup"
            )
        return versions[-1]

    def key(self, kind: KeyKind, version: int) -> bytes:
        """Return version ``version`` of the ``kind`` key."""
        try:
            return self._keys[kind][version]
        except KeyError:
            raise VaultError(
                f"no {kind} key version {version} in the keyring: the data was written with a "
                "key this keyring does not hold; check the database and root key belong together"
            ) from None

    def current(self, kind: KeyKind) -> tuple[int, bytes]:
        """Return the current version of ``kind`` and its key."""
        version = self.current_version(kind)
        return version, self.key(kind, version)

    def __repr__(self) -> str:
        # Versions only: a keyring that ends up in a log or traceback must not carry its keys.
        held = ", ".join(
            f"{kind}: {', '.join(f'v{v}' for v in self.versions(kind))}" for kind in self._keys
        )
        return f"<Keyring {held}>"


def _kind(name: str) -> KeyKind:
    try:
        return KeyKind(name)
    except ValueError:
        raise VaultError(
            f"the keyring holds a key of unknown kind {name!r}: it was written by a newer "
            "Strongroom; upgrade Strongroom to open it"
        ) from None


def _unwrap(root_key: RootKey, kind: KeyKind, item: WrappedDataKey) -> bytes:
    try:
        key = root_key.unwrap(item.wrapped, context=data_key_context(kind, item.version))
    except DecryptionError as exc:
        raise VaultError(
            f"the keyring does not match this root key: {kind} key version {item.version} could "
            "not be unwrapped; check that the root key file and the database belong to the same "
            "data home"
        ) from exc
    if len(key) != ROOT_KEY_BYTES:
        raise VaultError(
            f"{kind} key version {item.version} is {len(key)} bytes, not {ROOT_KEY_BYTES}: "
            "the data key table is damaged; restore it from a backup"
        )
    return key
