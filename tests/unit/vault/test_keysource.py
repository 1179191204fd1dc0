"""The live keyring sees versions another process adds, without unwrapping on every call."""

from __future__ import annotations

import os
from datetime import UTC, datetime

import pytest

from strongroom.core.errors import VaultError
from strongroom.core.models import WrappedDataKey
from strongroom.vault.keyring import KeyKind, Keyring
from strongroom.vault.keysource import LiveKeyring
from strongroom.vault.rootkey import LocalRootKey

ROOT = LocalRootKey(os.urandom(32))
NOW = datetime(2026, 11, 29, tzinfo=UTC)


class Store:
    def __init__(self) -> None:
        self.keys: list[WrappedDataKey] = Keyring.create_initial(ROOT, now=NOW, index_bits=12)
        self.fetches = 0

    def fetch(self) -> list[WrappedDataKey]:
        self.fetches += 1
        return list(self.keys)

    def add(self, kind: KeyKind) -> None:
        version = max(k.version for k in self.keys if k.kind == kind.value) + 1
        self.keys.append(Keyring.new_version(ROOT, kind, version, now=NOW))


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_new_current_version_is_seen_once_the_cache_is_stale() -> None:
    store, clock = Store(), Clock()
    live = LiveKeyring(ROOT, store.fetch, max_age=2.0, clock=clock)
    store.add(KeyKind.FIELD_KEK)
    assert live.current_version(KeyKind.FIELD_KEK) == 1
    clock.now = 2.5
    assert live.current_version(KeyKind.FIELD_KEK) == 2


def test_an_unknown_version_is_loaded_at_once() -> None:
    store, clock = Store(), Clock()
    live = LiveKeyring(ROOT, store.fetch, max_age=60.0, clock=clock)
    store.add(KeyKind.BLIND_INDEX)
    assert len(live.key(KeyKind.BLIND_INDEX, 2)) == 32


def test_a_version_that_does_not_exist_is_still_an_error() -> None:
    live = LiveKeyring(ROOT, Store().fetch)
    with pytest.raises(VaultError, match="no blind-index key version 9"):
        live.key(KeyKind.BLIND_INDEX, 9)


def test_fresh_reads_do_not_refetch() -> None:
    store, clock = Store(), Clock()
    live = LiveKeyring(ROOT, store.fetch, max_age=2.0, clock=clock)
    for _ in range(100):
        live.current(KeyKind.FIELD_KEK)
    assert store.fetches == 1


def test_retired_versions_drop_out_and_index_bits_are_kept() -> None:
    store = Store()
    live = LiveKeyring(ROOT, store.fetch)
    assert live.index_bits(1) == 12
    store.add(KeyKind.FIELD_KEK)
    old = store.keys[0]
    store.keys[0] = WrappedDataKey(old.kind, old.version, b"", old.created_at, retired_at=NOW)
    live.refresh(force=True)
    assert live.versions(KeyKind(old.kind)) == ([2] if old.kind == "field-kek" else [])
