"""Root key providers: where the root key comes from when Strongroom starts.

Each provider is a small class in ``KEY_PROVIDERS`` under the name ``STRONGROOM_KEY_PROVIDER``
gives: "file" (sealed with a passphrase in the data home, here), "env" (``keyproviders_env``) and
"pkcs11" (an HSM, ``keyproviders_pkcs11``). Each is built the same way, from ``KeyProviderOptions``,
so another (a cloud KMS, HashiCorp Vault) is one more class and one more registry entry.
"""

from __future__ import annotations

import os
import secrets
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, Self

from strongroom.adapters.keyproviders_env import EnvKeyProvider
from strongroom.adapters.keyproviders_pkcs11 import Pkcs11KeyProvider
from strongroom.core.custody import RootKey
from strongroom.core.errors import KeyFileError
from strongroom.vault.envelope import new_key
from strongroom.vault.rootkey import LocalRootKey
from strongroom.vault.sealing import seal_with_passphrase, unseal_with_passphrase

PASSPHRASE_VARIABLE = "STRONGROOM_ROOT_PASSPHRASE"  # noqa: S105 (a variable name, no secret)
# A sealed key file is a few hundred bytes; anything far bigger is not one, so it is not read in.
_MAX_KEY_FILE_BYTES = 64 * 1024


@dataclass(frozen=True, slots=True)
class KeyProviderOptions:
    """Everything any provider may need, taken from the settings; each uses its own part."""

    root_key_path: Path
    passphrase: str | None = field(default=None, repr=False)
    dev_mode: bool = False
    root_key: str | None = field(default=None, repr=False)
    pkcs11_module: Path | None = None
    pkcs11_token_label: str | None = None
    pkcs11_pin: str | None = field(default=None, repr=False)
    pkcs11_key_label: str = "strongroom-root"


class KeyProvider(Protocol):
    """A root key provider as ``strongroom init`` and start-up use it."""

    @classmethod
    def from_options(cls, options: KeyProviderOptions) -> Self: ...

    @property
    def location(self) -> str:
        """Where the root key lives, fit to print (never the key)."""
        ...

    @property
    def advice(self) -> str:
        """What the operator must do to keep the root key, printed by ``strongroom init``."""
        ...

    def load(self) -> RootKey:
        """The existing root key; fails closed when it is missing, unsafe or wrong."""
        ...

    def create(self) -> RootKey:
        """The root key of a new data home; never replaces an existing one."""
        ...

    def discard(self) -> None:
        """Undo ``create`` when the data home it was made for could not be made."""
        ...


class PassphraseFileKeyProvider:
    """The root key sealed with a passphrase in a file only its owner may read (mode 0600)."""

    def __init__(self, path: Path, passphrase: str | None, *, dev_mode: bool = False) -> None:
        self._path = path
        self._passphrase = passphrase
        self._dev_mode = dev_mode

    @classmethod
    def from_options(cls, options: KeyProviderOptions) -> Self:
        return cls(options.root_key_path, options.passphrase, dev_mode=options.dev_mode)

    def __repr__(self) -> str:
        return f"PassphraseFileKeyProvider(path={str(self._path)!r}, dev_mode={self._dev_mode})"

    @property
    def location(self) -> str:
        return str(self._path)

    @property
    def advice(self) -> str:
        return "keep a copy and the passphrase apart"

    def create(self) -> LocalRootKey:
        """Make a new root key, write it sealed to the key file, and return it."""
        if self._path.exists():
            raise KeyFileError(
                f"the root key file {self._path} already exists: refusing to overwrite it, which "
                "would make everything it protects unreadable; move it away first to start over"
            )
        passphrase = self._require_passphrase()
        root_key = new_key()
        document = seal_with_passphrase(root_key, passphrase)
        try:
            self._path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            _write_atomically(self._path, document)
        except OSError as exc:
            raise KeyFileError(
                f"could not write the root key file {self._path} ({exc.strerror}): "
                "check that its directory exists and is writable"
            ) from exc
        return LocalRootKey(root_key)

    def discard(self) -> None:
        """Remove the key file ``create`` wrote: a key file without its keyring would mislead."""
        self._path.unlink(missing_ok=True)

    def load(self) -> LocalRootKey:
        """Read the key file and open it with the passphrase; returns the root key."""
        document = self._read_checked()
        passphrase = self._require_passphrase()
        try:
            return LocalRootKey(unseal_with_passphrase(document, passphrase))
        except KeyFileError as exc:
            raise KeyFileError(f"{self._path}: {exc.message}") from exc

    def _require_passphrase(self) -> str:
        if not self._passphrase:
            raise KeyFileError(
                f"no root passphrase was given: set {PASSPHRASE_VARIABLE} to the passphrase "
                "that protects the root key file"
            )
        return self._passphrase

    def _read_checked(self) -> bytes:
        fd = self._open()
        # The mode is checked on the open file itself, so nothing can be swapped in between.
        try:
            self._check_mode(os.fstat(fd).st_mode)
        except BaseException:
            os.close(fd)
            raise
        with os.fdopen(fd, "rb") as file:
            document = file.read(_MAX_KEY_FILE_BYTES + 1)
        if len(document) > _MAX_KEY_FILE_BYTES:
            raise KeyFileError(
                f"{self._path} is too large to be a Strongroom root key file: "
                "check the key file path"
            )
        return document

    def _open(self) -> int:
        try:
            # O_NONBLOCK: a FIFO put in the key file's place must fail the check, not hang here.
            return os.open(self._path, os.O_RDONLY | os.O_NONBLOCK)
        except FileNotFoundError:
            raise KeyFileError(
                f"there is no root key file at {self._path}: run `strongroom init` to create one, "
                "or point Strongroom at the data home that holds it"
            ) from None
        except OSError as exc:
            raise KeyFileError(
                f"could not open the root key file {self._path} ({exc.strerror}): "
                "check its owner and permissions"
            ) from exc

    def _check_mode(self, mode: int) -> None:
        if not stat.S_ISREG(mode):
            raise KeyFileError(
                f"the root key file {self._path} is not a regular file: point Strongroom at the "
                "key file itself"
            )
        if mode & 0o077 and not self._dev_mode:
            raise KeyFileError(
                f"the root key file {self._path} can be read or changed by other users "
                f"(mode {stat.S_IMODE(mode):04o}): run `chmod 600 {self._path}`"
            )


def promote_pending_root_key(pending: Path, path: Path) -> None:
    """Make a rotated root key file the root key file, atomically (root-key rotation)."""
    os.replace(pending, path)
    _fsync_directory(path.parent)


def _write_atomically(path: Path, data: bytes) -> None:
    # A temporary file in the same directory, so os.replace is an atomic rename: the key file is
    # either absent or whole, never half-written, and never readable by others while written.
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as file:
            os.fchmod(file.fileno(), 0o600)  # whatever the umask, the owner can read it back
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    _fsync_directory(path.parent)


def _fsync_directory(directory: Path) -> None:
    # Without this the rename itself may be lost in a crash, leaving no key file at all.
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


KEY_PROVIDERS: dict[str, type[KeyProvider]] = {
    "file": PassphraseFileKeyProvider,
    "env": EnvKeyProvider,
    "pkcs11": Pkcs11KeyProvider,
}
