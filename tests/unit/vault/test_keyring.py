"""The keyring: data keys wrapped by the root key, opened by kind and version."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from strongroom.core.errors import VaultError
from strongroom.core.models import WrappedDataKey
from strongroom.vault.envelope import new_key, wrap_key
from strongroom.vault.keyring import KeyKind, Keyring, data_key_context
from strongroom.vault.rootkey import LocalRootKey

ROOT = LocalRootKey(bytes(range(32)))
NOW = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)


@pytest.fixture
def stored() -> list[WrappedDataKey]:
    return Keyring.create_initial(ROOT, now=NOW)


def _extra(kind: KeyKind, version: int, key: bytes) -> WrappedDataKey:
    wrapped = wrap_key(ROOT.material, key, context=data_key_context(kind, version))
    return WrappedDataKey(kind=kind.value, version=version, wrapped=wrapped, created_at=NOW)


def test_the_initial_keyring_has_version_1_of_every_kind(stored: list[WrappedDataKey]) -> None:
    assert sorted((item.kind, item.version) for item in stored) == sorted(
        (kind.value, 1) for kind in KeyKind
    )
    assert {item.created_at for item in stored} == {NOW}


def test_an_opened_keyring_gives_a_different_256_bit_key_per_kind(
    stored: list[WrappedDataKey],
) -> None:
    keyring = Keyring.open(ROOT, stored)

    keys = {keyring.key(kind, 1) for kind in KeyKind}
    assert len(keys) == len(KeyKind)
    assert all(len(key) == 32 for key in keys)
    assert keyring.current(KeyKind.TOKEN) == (1, keyring.key(KeyKind.TOKEN, 1))


def test_the_newest_version_is_current_and_older_ones_stay_readable(
    stored: list[WrappedDataKey],
) -> None:
    second = new_key()
    keyring = Keyring.open(ROOT, [*stored, _extra(KeyKind.BLIND_INDEX, 2, second)])

    assert keyring.versions(KeyKind.BLIND_INDEX) == [1, 2]
    assert keyring.current_version(KeyKind.BLIND_INDEX) == 2
    assert keyring.current(KeyKind.BLIND_INDEX) == (2, second)
    assert len(keyring.key(KeyKind.BLIND_INDEX, 1)) == 32
    assert keyring.current_version(KeyKind.FIELD_KEK) == 1


def test_a_keyring_made_under_another_root_key_is_refused(stored: list[WrappedDataKey]) -> None:
    with pytest.raises(VaultError, match="does not match this root key"):
        Keyring.open(LocalRootKey(new_key()), stored)


@pytest.mark.parametrize(
    ("kind", "version"),
    [("token", 1), ("blind-index", 2)],
    ids=["relabelled-kind", "relabelled-version"],
)
def test_a_data_key_relabelled_as_another_kind_or_version_is_refused(
    kind: str, version: int
) -> None:
    moved = replace(_extra(KeyKind.BLIND_INDEX, 1, new_key()), kind=kind, version=version)

    with pytest.raises(VaultError, match="does not match this root key"):
        Keyring.open(ROOT, [moved])


def test_an_unknown_key_version_is_refused_by_kind_and_number(
    stored: list[WrappedDataKey],
) -> None:
    keyring = Keyring.open(ROOT, stored)

    with pytest.raises(VaultError, match="no blind-index key version 7 in the keyring"):
        keyring.key(KeyKind.BLIND_INDEX, 7)


def test_a_missing_kind_is_reported_when_its_current_key_is_asked_for() -> None:
    keyring = Keyring.open(ROOT, [_extra(KeyKind.TOKEN, 1, new_key())])

    assert keyring.versions(KeyKind.BACKUP) == []
    with pytest.raises(VaultError, match="no backup key"):
        keyring.current(KeyKind.BACKUP)


def _duplicate() -> list[WrappedDataKey]:
    return [_extra(KeyKind.TOKEN, 1, new_key())] * 2


def _unknown_kind() -> list[WrappedDataKey]:
    return [replace(_extra(KeyKind.TOKEN, 1, new_key()), kind="quantum")]


def _short_key() -> list[WrappedDataKey]:
    return [_extra(KeyKind.TOKEN, 1, b"sixteen byte key")]


@pytest.mark.parametrize(
    ("items", "message"),
    [(_duplicate, "twice"), (_unknown_kind, "unknown kind"), (_short_key, "not 32")],
    ids=["duplicate", "unknown-kind", "short-key"],
)
def test_a_damaged_data_key_table_is_refused(
    items: Callable[[], list[WrappedDataKey]], message: str
) -> None:
    with pytest.raises(VaultError, match=message):
        Keyring.open(ROOT, items())


def test_the_repr_of_a_keyring_shows_versions_but_never_keys(
    stored: list[WrappedDataKey],
) -> None:
    keyring = Keyring.open(ROOT, stored)

    shown = repr(keyring) + str(keyring)

    assert "field-kek: v1" in shown
    for kind in KeyKind:
        key = keyring.key(kind, 1)
        assert key.hex() not in shown
        assert repr(key) not in shown
        assert repr(key)[2:-1] not in shown
