"""Engines: the SQLite settings that make it safe to share, PostgreSQL's, and refused URLs."""

from __future__ import annotations

import sqlite3
import stat

import pytest
from sqlalchemy import text

from strongroom.adapters.sql.engine import create_database_engine
from strongroom.adapters.sql.unit_of_work import SqlUnitOfWork
from strongroom.core.errors import ConfigurationError, ConflictError


def test_sqlite_connections_use_wal_foreign_keys_and_a_busy_timeout(sqlite_engine):
    with sqlite_engine.connect() as connection:
        pragma = connection.exec_driver_sql
        assert pragma("PRAGMA journal_mode").scalar() == "wal"
        assert pragma("PRAGMA foreign_keys").scalar() == 1
        assert pragma("PRAGMA busy_timeout").scalar() == 30000
        assert pragma("PRAGMA synchronous").scalar() == 1  # NORMAL


def test_a_sqlite_transaction_takes_the_write_lock_when_it_begins(sqlite_engine, sqlite_path):
    with sqlite_engine.begin() as connection:
        connection.execute(text("SELECT 1"))  # a read only, yet the lock is held already
        other = sqlite3.connect(sqlite_path, timeout=0, isolation_level=None)
        try:
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
        finally:
            other.close()


def test_a_new_sqlite_database_gets_its_directory_and_an_owner_only_file(tmp_path):
    path = tmp_path / "nested" / "home" / "strongroom.db"
    engine = create_database_engine(f"sqlite:///{path}")
    engine.dispose()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_foreign_keys_are_enforced(sql_engine, samples):
    source, key = samples.source()
    with SqlUnitOfWork(sql_engine) as uow:
        uow.sources.add(source, key)
        with pytest.raises(ConflictError):
            uow.events.add([samples.event("no-such-customer", source.id)])


def test_postgresql_engines_use_psycopg_and_check_connections_before_use():
    for url in ("postgresql+psycopg://u@db.invalid/x", "postgresql://u@db.invalid/x"):
        engine = create_database_engine(url)
        try:
            assert engine.url.drivername == "postgresql+psycopg"
            assert engine.pool._pre_ping
        finally:
            engine.dispose()


@pytest.mark.parametrize(
    "url",
    ["mysql://user:s3cret@host/db", "oracle+oracledb://h/db", "sqlite+aiosqlite:///x.db"],
)
def test_an_unsupported_database_url_is_refused_with_the_supported_forms(url):
    with pytest.raises(ConfigurationError) as refused:
        create_database_engine(url)
    message = refused.value.message
    assert "sqlite:///" in message
    assert "postgresql+psycopg://" in message
    assert "s3cret" not in message


def test_a_malformed_database_url_is_refused_without_echoing_it():
    with pytest.raises(ConfigurationError, match="malformed") as refused:
        create_database_engine("not a url with a p@ssword")
    assert "p@ssword" not in refused.value.message
