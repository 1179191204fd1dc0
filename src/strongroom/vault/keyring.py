"""The keyring: versioned data keys, each wrapped by the root key, opened into memory.

Each kind of key is versioned on its own. The newest version is the current one, used for new
data; older versions stay so that what they protected can still be read.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum

from strongroom.core.custody import RootKey
from strongroom.core.errors import DecryptionError, VaultError
from strongroom.core.models import WrappedDataKey
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

    __slots__ = ("_index_bits", "_keys")

    def __init__(
        self,
        keys: dict[KeyKind, dict[int, bytes]],
        index_bits: dict[int, int | None] | None = None,
    ) -> None:
        self._keys = {KeyKind(kind): dict(versions) for kind, versions in keys.items()}
        self._index_bits = dict(index_bits or {})

    @classmethod
    def open(cls, root_key: RootKey, wrapped: Sequence[WrappedDataKey]) -> Keyring:
        """Unwrap every stored data key with ``root_key``."""
        keys: dict[KeyKind, dict[int, bytes]] = {}
        index_bits: dict[int, int | None] = {}
        for item in wrapped:
            if item.retired_at is not None:
                continue  # retired: its key is gone, and nothing may still need it
            kind = _kind(item.kind)
            versions = keys.setdefault(kind, {})
            if item.version in versions:
                raise VaultError(
                    f"the keyring holds {kind} key version {item.version} twice: "
                    "the data key table is damaged; restore it from a backup"
                )
            versions[item.version] = _unwrap(root_key, kind, item)
            if kind is KeyKind.BLIND_INDEX:
                index_bits[item.version] = item.index_bits
        return cls(keys, index_bits)

    @staticmethod
    def create_initial(
        root_key: RootKey, *, now: datetime, index_bits: int | None = None
    ) -> list[WrappedDataKey]:
        """Make version 1 of every kind of data key, wrapped by ``root_key``, ready to store.

        ``index_bits`` sizes the searchable-field indexes of blind-index version 1 (None: full).
        """
        return [
            Keyring.new_version(
                root_key,
                kind,
                1,
                now=now,
                index_bits=index_bits if kind is KeyKind.BLIND_INDEX else None,
            )
            for kind in KeyKind
        ]

    @staticmethod
    def new_version(
        root_key: RootKey,
        kind: KeyKind,
        version: int,
        *,
        now: datetime,
        index_bits: int | None = None,
    ) -> WrappedDataKey:
        """A fresh key for ``kind`` at ``version``, wrapped by ``root_key``, ready to store."""
        wrapped = root_key.wrap(new_key(), context=data_key_context(kind, version))
        return WrappedDataKey(kind.value, version, wrapped, now, index_bits=index_bits)

    @staticmethod
    def rewrap(
        old_root: RootKey, new_root: RootKey, wrapped: Sequence[WrappedDataKey]
    ) -> list[WrappedDataKey]:
        """The same keys wrapped by ``new_root`` instead: root-key rotation."""
        rewrapped: list[WrappedDataKey] = []
        for item in wrapped:
            if item.retired_at is not None:
                continue
            kind = _kind(item.kind)
            key = _unwrap(old_root, kind, item)
            new = new_root.wrap(key, context=data_key_context(kind, item.version))
            rewrapped.append(
                WrappedDataKey(item.kind, item.version, new, item.created_at, item.index_bits)
            )
        return rewrapped

    def refresh(self, *, force: bool = False) -> None:
        """A fixed keyring has nothing to reload (``LiveKeyring`` does)."""

    def index_bits(self, version: int) -> int | None:
        """How many bits of a searchable-field index this blind-index version keeps (None: all)."""
        return self._index_bits.get(version)

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
