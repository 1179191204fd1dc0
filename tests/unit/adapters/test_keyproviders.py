"""The passphrase-protected root key file: created safely, loaded only when it is safe."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path

import pytest

from strongroom.adapters.keyproviders import (
    KEY_PROVIDERS,
    KeyProviderOptions,
    PassphraseFileKeyProvider,
)
from strongroom.core.errors import InvalidInputError, KeyFileError, WrongPassphraseError

PASSPHRASE = "correct horse battery staple"


@pytest.fixture
def key_path(tmp_path: Path) -> Path:
    return tmp_path / "home" / "root.key"


@pytest.fixture
def created(key_path: Path) -> tuple[Path, bytes]:
    return key_path, PassphraseFileKeyProvider(key_path, PASSPHRASE).create().material


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_created_root_key_loads_back_with_the_passphrase(created: tuple[Path, bytes]) -> None:
    path, root_key = created

    assert len(root_key) == 32
    assert PassphraseFileKeyProvider(path, PASSPHRASE).load().material == root_key


def test_the_key_file_is_created_owner_only_in_an_owner_only_directory(
    created: tuple[Path, bytes],
) -> None:
    path, root_key = created

    assert _mode(path) == 0o600
    assert _mode(path.parent) == 0o700
    assert [entry.name for entry in path.parent.iterdir()] == ["root.key"]
    assert root_key not in path.read_bytes()


def test_an_existing_key_file_is_never_overwritten(created: tuple[Path, bytes]) -> None:
    path, _ = created
    before = path.read_bytes()

    with pytest.raises(KeyFileError, match="already exists"):
        PassphraseFileKeyProvider(path, PASSPHRASE).create()

    assert path.read_bytes() == before


def test_a_missing_key_file_says_to_run_strongroom_init(key_path: Path) -> None:
    with pytest.raises(KeyFileError, match="run `strongroom init`"):
        PassphraseFileKeyProvider(key_path, PASSPHRASE).load()


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o620])
def test_a_key_file_others_can_reach_is_refused_with_the_fix(
    created: tuple[Path, bytes], mode: int
) -> None:
    path, _ = created
    path.chmod(mode)

    with pytest.raises(KeyFileError) as caught:
        PassphraseFileKeyProvider(path, PASSPHRASE).load()

    assert f"chmod 600 {path}" in caught.value.message


def test_dev_mode_accepts_a_key_file_others_can_read(created: tuple[Path, bytes]) -> None:
    path, root_key = created
    path.chmod(0o644)

    assert PassphraseFileKeyProvider(path, PASSPHRASE, dev_mode=True).load().material == root_key


@pytest.mark.parametrize("passphrase", [None, ""], ids=["unset", "empty"])
def test_no_passphrase_says_to_set_the_variable(
    created: tuple[Path, bytes], passphrase: str | None
) -> None:
    path, _ = created

    with pytest.raises(KeyFileError, match="set STRONGROOM_ROOT_PASSPHRASE"):
        PassphraseFileKeyProvider(path, passphrase).load()
    with pytest.raises(KeyFileError, match="set STRONGROOM_ROOT_PASSPHRASE"):
        PassphraseFileKeyProvider(path.with_name("other.key"), passphrase).create()
    assert not path.with_name("other.key").exists()


def test_a_short_passphrase_is_refused_when_creating(key_path: Path) -> None:
    with pytest.raises(InvalidInputError, match="too short"):
        PassphraseFileKeyProvider(key_path, "short").create()

    assert not key_path.exists()


def test_the_wrong_passphrase_is_refused(created: tuple[Path, bytes]) -> None:
    path, _ = created

    with pytest.raises(WrongPassphraseError, match="STRONGROOM_ROOT_PASSPHRASE"):
        PassphraseFileKeyProvider(path, "not the right passphrase").load()


@pytest.mark.parametrize(
    "content", [b"", b"{}", b"root key here", b" " * 70_000], ids=["empty", "{}", "text", "huge"]
)
def test_a_file_that_is_not_a_root_key_file_is_refused_naming_it(
    tmp_path: Path, content: bytes
) -> None:
    path = tmp_path / "root.key"
    path.write_bytes(content)
    path.chmod(0o600)

    with pytest.raises(KeyFileError, match=r"not a Strongroom root key file|too large") as caught:
        PassphraseFileKeyProvider(path, PASSPHRASE).load()

    assert str(path) in caught.value.message


@pytest.mark.parametrize("make", [Path.mkdir, os.mkfifo], ids=["directory", "fifo"])
def test_something_other_than_a_file_in_the_key_files_place_is_refused(
    tmp_path: Path, make: Callable[[Path, int], None]
) -> None:
    path = tmp_path / "root.key"
    make(path, 0o600)

    with pytest.raises(KeyFileError, match="not a regular file"):
        PassphraseFileKeyProvider(path, PASSPHRASE).load()


def test_the_repr_of_a_provider_hides_the_passphrase(key_path: Path) -> None:
    assert PASSPHRASE not in repr(PassphraseFileKeyProvider(key_path, PASSPHRASE))


def test_the_file_provider_is_registered_as_file() -> None:
    assert KEY_PROVIDERS["file"] is PassphraseFileKeyProvider


def test_every_provider_is_built_from_the_same_options(tmp_path: Path) -> None:
    options = KeyProviderOptions(
        root_key_path=tmp_path / "root.key",
        passphrase=PASSPHRASE,
        root_key="unused here",
        pkcs11_module=tmp_path / "module.so",
        pkcs11_token_label="token",
        pkcs11_pin="123456",
    )

    built = {name: provider.from_options(options) for name, provider in KEY_PROVIDERS.items()}

    assert {name: type(provider) for name, provider in built.items()} == KEY_PROVIDERS
    assert all(PASSPHRASE not in repr(provider) for provider in built.values())


def test_discarding_a_created_key_file_removes_it(key_path: Path) -> None:
    provider = PassphraseFileKeyProvider(key_path, PASSPHRASE)
    provider.create()

    provider.discard()

    assert not key_path.exists()
    assert provider.location == str(key_path)
