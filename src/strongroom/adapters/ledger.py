"""The erasure ledger as a file: one signed receipt per line, appended, owner-only, fsynced.

It lives in the data home beside the root key file, outside the database and so outside every
backup of it, which lets a restore of an older backup erase again whoever was erased since.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Sequence
from pathlib import Path

from strongroom.core.errors import ConfigurationError

_MODE = 0o600


class FileErasureLedger:
    """An ``ErasureLedger`` in one file; appends from several processes queue on a lock."""

    def __init__(self, path: Path) -> None:
        self._path = path

    @property
    def location(self) -> str:
        return str(self._path)

    def append(self, receipt: str) -> None:
        self.append_many([receipt])

    def append_many(self, receipts: Sequence[str]) -> None:
        if not receipts:
            return
        if any("\n" in receipt or "\r" in receipt for receipt in receipts):
            raise ValueError("a ledger receipt must be one line of JSON")
        line = "".join(receipt + "\n" for receipt in receipts).encode("utf-8")
        created = not self._path.exists()
        try:
            descriptor = os.open(self._path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, _MODE)
        except OSError as error:
            raise self._unusable(error) from None
        try:
            os.fchmod(descriptor, _MODE)  # also narrows a copy someone made with a looser mode
            fcntl.flock(descriptor, fcntl.LOCK_EX)
            os.write(descriptor, line)
            os.fsync(descriptor)
        except OSError as error:
            raise self._unusable(error) from None
        finally:
            os.close(descriptor)  # also releases the lock
        if created:
            _fsync_directory(self._path.parent)

    def receipts(self) -> list[tuple[int, str]]:
        try:
            text = self._path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return []
        except (OSError, UnicodeDecodeError) as error:
            raise ConfigurationError(
                f"the erasure ledger {self._path} cannot be read ({type(error).__name__}): "
                "check its owner and permissions, or restore it from your copy"
            ) from None
        lines = enumerate(text.splitlines(), start=1)
        return [(number, line) for number, line in lines if line.strip()]

    def _unusable(self, error: OSError) -> ConfigurationError:
        return ConfigurationError(
            f"the erasure ledger {self._path} cannot be written ({error.strerror or error}): "
            "nothing was erased; check the data home's free space and permissions"
        )


def _fsync_directory(directory: Path) -> None:
    # A new file's name is durable only once its directory is.
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
