"""A directory of sealed files (``core.intake.SealedFileStore``): written atomically, 0600."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from strongroom.core.errors import ConflictError, InvalidInputError, NotFoundError

_NAME = re.compile(r"[0-9a-f-]{36}")
_SUFFIX = ".sealed"


class DirectorySealedFileStore:
    """Sealed files in one directory, each named by a server-generated UUID."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def _path(self, name: str) -> Path:
        if not _NAME.fullmatch(name):  # ids are ours; anything else is a bug or an attack
            raise InvalidInputError("a sealed file is named by its UUID")
        return self.directory / f"{name}{_SUFFIX}"

    def write(self, name: str, chunks: Iterator[bytes]) -> None:
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        final = self._path(name)
        if final.exists():
            raise ConflictError(f"a sealed file named {name} exists already")
        partial = final.with_suffix(".partial")
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
        descriptor = os.open(partial, flags, 0o600)
        try:
            with os.fdopen(descriptor, "wb") as file:
                for chunk in chunks:
                    file.write(chunk)
                file.flush()
                os.fsync(file.fileno())
            os.replace(partial, final)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise

    def open(self, name: str) -> BinaryIO:
        try:
            return self._path(name).open("rb")
        except FileNotFoundError:
            raise NotFoundError(
                f"the sealed file {name} is missing from {self.directory}"
            ) from None

    def delete(self, name: str) -> bool:
        try:
            self._path(name).unlink()
        except FileNotFoundError:
            return False
        return True

    def names(self) -> Iterator[str]:
        """Every sealed file's name (for checks and tests)."""
        if self.directory.is_dir():
            for path in sorted(self.directory.glob(f"*{_SUFFIX}")):
                yield path.name.removesuffix(_SUFFIX)
