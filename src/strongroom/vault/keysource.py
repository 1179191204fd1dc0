"""A keyring that follows the stored one, so running servers see versions a rotation adds."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from typing import Protocol

from strongroom.core.custody import RootKey
from strongroom.core.errors import VaultError
from strongroom.core.models import WrappedDataKey
from strongroom.vault.keyring import KeyKind, Keyring

_MAX_AGE_SECONDS = 2.0


class KeySource(Protocol):
    """What the vault needs of a keyring: a fixed ``Keyring`` or a ``LiveKeyring``."""

    def versions(self, kind: KeyKind) -> list[int]: ...

    def current_version(self, kind: KeyKind) -> int: ...

    def current(self, kind: KeyKind) -> tuple[int, bytes]: ...

    def key(self, kind: KeyKind, version: int) -> bytes: ...

    def index_bits(self, version: int) -> int | None: ...

    def refresh(self, *, force: bool = False) -> None: ...


class LiveKeyring:
    """A ``Keyring`` reloaded from storage at most every few seconds, and at once on a miss.

    A rotation run by another process adds a key version; this process then writes with it
    within seconds, and reads data written with it immediately.
    """

    def __init__(
        self,
        root_key: RootKey,
        fetch: Callable[[], Sequence[WrappedDataKey]],
        *,
        max_age: float = _MAX_AGE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._root_key, self._fetch, self._max_age, self._clock = root_key, fetch, max_age, clock
        self._lock = threading.Lock()
        self._seen: tuple[tuple[str, int, bool], ...] = ()
        self._keyring = Keyring({})
        self._loaded_at = float("-inf")
        self.refresh(force=True)

    def refresh(self, *, force: bool = False) -> None:
        """Reload if stale (or ``force``); unwraps only when the stored versions changed."""
        if not force and self._clock() - self._loaded_at < self._max_age:
            return
        with self._lock:
            stored = list(self._fetch())
            seen = tuple(sorted((k.kind, k.version, k.retired_at is not None) for k in stored))
            if seen != self._seen:
                self._keyring = Keyring.open(self._root_key, stored)
                self._seen = seen
            self._loaded_at = self._clock()

    @property
    def current_keyring(self) -> Keyring:
        self.refresh()
        return self._keyring

    def versions(self, kind: KeyKind) -> list[int]:
        return self.current_keyring.versions(kind)

    def current_version(self, kind: KeyKind) -> int:
        return self.current_keyring.current_version(kind)

    def current(self, kind: KeyKind) -> tuple[int, bytes]:
        return self.current_keyring.current(kind)

    def index_bits(self, version: int) -> int | None:
        return self.current_keyring.index_bits(version)

    def key(self, kind: KeyKind, version: int) -> bytes:
        try:
            return self.current_keyring.key(kind, version)
        except VaultError:
            self.refresh(force=True)  # written by a version another process just added
            return self._keyring.key(kind, version)

    def __repr__(self) -> str:
        return f"LiveKeyring({self._keyring!r})"
