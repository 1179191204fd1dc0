"""Consistent snapshots of the operational database, and restoring one: SQLite here.

SQLite uses its online backup API both ways: a snapshot is a consistent copy taken under one read
transaction (writers carry on in the WAL), and a restore copies a prepared file into the live
database in one transaction, so a reader sees either the old database or the whole restored one.
PostgreSQL uses pg_dump and pg_restore (``adapters.pg_snapshots``).

Plaintext copies live only for the length of one command, as owner-only files beside the database
(or in the data home), and are deleted whatever happens.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import create_engine, inspect, literal, select, table
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.pool import NullPool

from strongroom.core.custody import DatabaseSnapshots, ProgressCallback
from strongroom.core.errors import ConfigurationError, InvalidInputError

# Tables whose rows do not make a database worth keeping: migration bookkeeping, the empty chain.
_BOOKKEEPING_TABLES = frozenset({"alembic_version", "audit_head"})
_SQLITE_HEADER = b"SQLite format 3\x00"


def snapshots_for(database_url: str, *, workdir: Path) -> DatabaseSnapshots:
    """The snapshot adapter for this database; plaintext temporaries go in ``workdir``."""
    url = make_url(database_url)
    if url.drivername.startswith("sqlite"):
        if url.database in (None, "", ":memory:") or url.database.startswith("file:"):
            raise InvalidInputError("an in-memory SQLite database cannot be backed up or restored")
        return SqliteSnapshots(Path(url.database).expanduser())
    from strongroom.adapters.pg_snapshots import PostgresSnapshots  # noqa: PLC0415 - optional tool

    return PostgresSnapshots(database_url, workdir=workdir)


def database_has_data(engine: Engine) -> bool:
    """Whether any table but the migration bookkeeping holds a row."""
    names = [n for n in inspect(engine).get_table_names() if n not in _BOOKKEEPING_TABLES]
    with engine.connect() as connection:
        for name in names:
            probe = select(literal(1)).select_from(table(name)).limit(1)
            if connection.execute(probe).first() is not None:
                return True
    return False


@contextlib.contextmanager
def private_temporary(directory: Path, suffix: str) -> Iterator[Path]:
    """A new owner-only file in ``directory``, deleted (with any SQLite companions) on leaving."""
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    descriptor, name = tempfile.mkstemp(prefix=".strongroom-", suffix=suffix, dir=directory)
    os.close(descriptor)  # mkstemp made it 0600
    path = Path(name)
    try:
        yield path
    finally:
        for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")):
            leftover.unlink(missing_ok=True)


class SqliteSnapshots:
    """Snapshots of one SQLite database file through the online backup API."""

    kind = "sqlite"

    def __init__(self, path: Path) -> None:
        self._path = path

    @contextlib.contextmanager
    def snapshot(self, progress: ProgressCallback) -> Iterator[BinaryIO]:
        if not self._path.is_file():
            raise ConfigurationError(f"there is no database at {self._path} to back up")
        with private_temporary(self._path.parent, ".snapshot") as copy:
            progress("snapshot", 0, None)
            _online_copy(self._path, copy, lambda done, total: progress("snapshot", done, total))
            with copy.open("rb") as stream:
                yield stream

    def has_data(self) -> bool:
        if not self._path.exists() or self._path.stat().st_size == 0:
            return False
        engine = create_engine(f"sqlite:///{self._path}", poolclass=NullPool)
        try:
            return database_has_data(engine)
        finally:
            engine.dispose()

    def restore(
        self,
        write: Callable[[BinaryIO], None],
        prepare: Callable[[str], None],
        *,
        progress: ProgressCallback,
    ) -> None:
        self._path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        with private_temporary(self._path.parent, ".restoring") as staged:
            with staged.open("wb") as stream:
                write(stream)
                stream.flush()
                os.fsync(stream.fileno())
            _check_sqlite_file(staged)
            prepare(f"sqlite:///{staged}")
            if not self._path.exists():
                self._path.touch(mode=0o600)
            progress("restore", 0, None)
            _online_copy(staged, self._path, lambda done, total: progress("restore", done, total))


def _online_copy(source: Path, target: Path, done: Callable[[int, int], None]) -> None:
    """Copy a whole database with SQLite's backup API, in one step: consistent, never restarted.

    Copied step by step, a backup restarts whenever another connection writes to the source, and
    a busy server could keep it from ever finishing; one step holds a read snapshot instead.
    """
    source_db = sqlite3.connect(source, timeout=30)
    try:
        target_db = sqlite3.connect(target, timeout=30)
        try:
            source_db.backup(target_db, pages=-1, progress=_reporting(done))
        finally:
            target_db.close()
    except sqlite3.Error as error:
        raise ConfigurationError(
            f"the SQLite online backup from {source.name} to {target.name} failed "
            f"({type(error).__name__}): is another process holding the database locked?"
        ) from None
    finally:
        source_db.close()


def _reporting(done: Callable[[int, int], None]) -> Callable[[int, int, int], None]:
    def progress(status: int, remaining: int, total: int) -> None:
        done(total - remaining, total)

    return progress


def _check_sqlite_file(path: Path) -> None:
    with path.open("rb") as stream:
        if stream.read(len(_SQLITE_HEADER)) != _SQLITE_HEADER:
            raise InvalidInputError(
                "the backup does not hold a SQLite database; nothing was restored"
            )
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        result = connection.execute("PRAGMA quick_check").fetchone()
    except sqlite3.DatabaseError:
        result = None
    finally:
        connection.close()
    if result is None or result[0] != "ok":
        raise InvalidInputError(
            "the database in the backup fails SQLite's integrity check; nothing was restored"
        )


@contextlib.contextmanager
def new_private_file(path: Path) -> Iterator[BinaryIO]:
    """Write a new owner-only file: to ``path``.partial, moved into place only when complete."""
    if path.exists():
        raise InvalidInputError(f"{path} exists already: choose another file name")
    partial = path.with_name(path.name + ".partial")
    try:
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as error:
        raise ConfigurationError(f"cannot create {partial} ({error.strerror or error})") from None
    try:
        with os.fdopen(descriptor, "wb") as stream:
            yield stream
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
