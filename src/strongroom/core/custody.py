"""Custody ports: the root key and its provider, the erasure ledger, database snapshots.

They hold what must survive outside the database: keys, proof of erasures, backups.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from typing import BinaryIO, Protocol


class RootKey(Protocol):
    """The key at the top of the hierarchy: wraps and unwraps keyring keys, never leaves its home.

    A file or environment root key lives in memory; an HSM's never leaves the HSM.
    """

    @property
    def key_id(self) -> str:
        """A non-secret name for this root key (a fingerprint or an HSM label)."""
        ...

    def wrap(self, key: bytes, *, context: str) -> bytes: ...

    def unwrap(self, wrapped: bytes, *, context: str) -> bytes: ...


class RootKeyProvider(Protocol):
    """Where the root key comes from: a passphrase-protected file, an env var, an HSM."""

    def load(self) -> RootKey: ...


# Called as work advances: a stage name, units done, and the total when it is known.
ProgressCallback = Callable[[str, int, int | None], None]


class ErasureLedger(Protocol):
    """Signed erasure receipts, one JSON line each, kept outside the database and its backups."""

    @property
    def location(self) -> str:
        """Where the ledger is, for messages (a file path)."""
        ...

    def append(self, receipt: str) -> None:
        """Add one receipt; it is on stable storage when this returns."""
        ...

    def append_many(self, receipts: Sequence[str]) -> None:
        """Add several receipts with one write; all are on stable storage when this returns."""
        ...

    def receipts(self) -> list[tuple[int, str]]:
        """Every receipt with its line number, oldest first; empty if there is no ledger yet."""
        ...


class DatabaseSnapshots(Protocol):
    """Consistent plaintext copies of the operational database, and putting one back."""

    @property
    def kind(self) -> str:
        """``sqlite`` or ``postgresql``: a snapshot restores only into the same kind."""
        ...

    def snapshot(self, progress: ProgressCallback) -> AbstractContextManager[BinaryIO]:
        """A consistent copy of the whole database, read from the start; deleted on leaving."""
        ...

    def has_data(self) -> bool:
        """Whether the database holds anything a restore would overwrite."""
        ...

    def restore(
        self,
        write: Callable[[BinaryIO], None],
        prepare: Callable[[str], None],
        *,
        progress: ProgressCallback,
    ) -> None:
        """Stage the copy ``write`` produces, let ``prepare`` finish it, then make it live.

        ``prepare`` gets the staged database's URL and runs before anything else may use it;
        if either callback fails, the database is left without the restored data.
        """
        ...
