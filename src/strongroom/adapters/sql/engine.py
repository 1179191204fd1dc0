"""Engines for the two supported databases, SQLite and PostgreSQL (psycopg 3)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError

from strongroom.core.errors import ConfigurationError

SUPPORTED_URLS = "sqlite:///path/to/strongroom.db or postgresql+psycopg://user@host:5432/dbname"
_SQLITE_DRIVERS = frozenset({"sqlite", "sqlite+pysqlite"})
# psycopg 3 is the only PostgreSQL driver installed, so a bare postgresql:// means it too.
_POSTGRES_DRIVERS = frozenset({"postgresql", "postgresql+psycopg"})
_SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA busy_timeout=30000",
    "PRAGMA synchronous=NORMAL",
)
_IN_MEMORY = frozenset({"", ":memory:"})


def create_database_engine(url: str) -> Engine:
    """An engine for ``url``; refuses anything but SQLite and PostgreSQL via psycopg."""
    parsed = _parse(url)
    if parsed.drivername in _SQLITE_DRIVERS:
        return _sqlite_engine(parsed)
    if parsed.drivername in _POSTGRES_DRIVERS:
        return create_engine(parsed.set(drivername="postgresql+psycopg"), pool_pre_ping=True)
    raise ConfigurationError(
        f"unsupported database URL scheme {parsed.drivername!r}; use {SUPPORTED_URLS}"
    )


def _parse(url: str) -> URL:
    try:
        return make_url(url)
    except ArgumentError:
        # The URL is not echoed: it may hold a password.
        raise ConfigurationError(f"malformed database URL; use {SUPPORTED_URLS}") from None


def _sqlite_engine(url: URL) -> Engine:
    database = url.database or ""
    if database not in _IN_MEMORY and not database.startswith("file:"):
        path = Path(database).expanduser()
        _prepare_database_file(path)
        url = url.set(database=str(path))
    engine = create_engine(url)
    event.listen(engine, "connect", _on_sqlite_connect)
    event.listen(engine, "begin", _on_sqlite_begin)
    return engine


def _prepare_database_file(path: Path) -> None:
    """Create the parent directory, and the file readable by its owner only (WAL files follow)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if not path.exists():
        path.touch(mode=0o600)


def _on_sqlite_connect(dbapi_connection: Any, connection_record: Any) -> None:
    # Take transaction control away from pysqlite: SQLAlchemy's "begin" event emits BEGIN.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        for pragma in _SQLITE_PRAGMAS:
            cursor.execute(pragma)
    finally:
        cursor.close()


READ_ONLY = "strongroom_read_only"


def _on_sqlite_begin(connection: Connection) -> None:
    # IMMEDIATE takes the write lock up front, so concurrent writers queue on busy_timeout
    # instead of failing when a read transaction tries to upgrade to a write. A read-only unit
    # of work takes a plain (deferred) BEGIN: in WAL mode it reads beside a writer, even one
    # open in the same thread (the keyring reloading while a batch is being stored).
    read_only = connection.get_execution_options().get(READ_ONLY, False)
    connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")
