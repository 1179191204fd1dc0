"""Fixtures shared by the whole suite.

Storage: a fresh migrated SQLite file per test; one fresh PostgreSQL database per session (on the
server at $STRONGROOM_TEST_POSTGRES_URL), migrated once and emptied before each test that uses it.
HSM: a fresh SoftHSM2 token per test that asks for one (``softhsm``).
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import NoReturn

import pkcs11
import psycopg
import pytest
from psycopg import sql
from sqlalchemy import create_engine, delete, insert
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool

from strongroom.adapters.keyproviders import KeyProviderOptions
from strongroom.adapters.memory import MemoryUnitOfWorkFactory
from strongroom.adapters.sql.engine import create_database_engine
from strongroom.adapters.sql.migrate import upgrade_database
from strongroom.adapters.sql.schema import metadata
from strongroom.adapters.sql.tables import AUDIT_HEAD_ID, audit_head
from strongroom.adapters.sql.unit_of_work import SqlUnitOfWorkFactory
from strongroom.core.ports import UnitOfWorkFactory
from strongroom.core.trail import GENESIS_HASH

POSTGRES_URL_ENV = "STRONGROOM_TEST_POSTGRES_URL"
DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"

SQL_BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
STORAGE_BACKENDS = ["memory", *SQL_BACKENDS]


# --- PostgreSQL -------------------------------------------------------------------------------


def _connection_problem(url: str) -> str | None:
    engine = create_engine(url, poolclass=NullPool, connect_args={"connect_timeout": 3})
    try:
        with engine.connect():
            return None
    except OperationalError as exc:
        return str(exc.orig).strip().splitlines()[0]
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """The PostgreSQL server's URL; skips (fails on CI) if the server is unreachable."""
    url = os.environ.get(POSTGRES_URL_ENV, DEFAULT_POSTGRES_URL)
    problem = _connection_problem(url)
    if problem is not None:
        shown = make_url(url).render_as_string(hide_password=True)
        message = (
            f"PostgreSQL at {shown} is unreachable ({problem}). Start it, or point "
            f"{POSTGRES_URL_ENV} at a server where this user may create databases."
        )
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return url


def _administer(url: str, statement: sql.Composed) -> None:
    """Run one DDL statement outside a transaction (CREATE/DROP DATABASE cannot run inside one)."""
    conninfo = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True) as connection:
        connection.execute(statement)


@pytest.fixture(scope="session")
def postgres_session_engine(postgres_url: str) -> Iterator[Engine]:
    """An engine on this session's own migrated database, dropped when the session ends."""
    name = f"strongroom_test_{secrets.token_hex(6)}"
    _administer(postgres_url, sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    url = make_url(postgres_url).set(database=name)
    engine = create_database_engine(url.render_as_string(hide_password=False))
    try:
        upgrade_database(engine)
        yield engine
    finally:
        engine.dispose()
        drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        _administer(postgres_url, drop)


def _empty_database(engine: Engine) -> None:
    with engine.begin() as connection:
        for table in reversed(metadata.sorted_tables):
            connection.execute(delete(table))
        head = {"id": AUDIT_HEAD_ID, "seq": 0, "entry_hash": GENESIS_HASH}
        connection.execute(insert(audit_head), [head])


@pytest.fixture
def postgres_engine(postgres_session_engine: Engine) -> Engine:
    """The session's PostgreSQL database, emptied (audit head back at genesis) for this test."""
    _empty_database(postgres_session_engine)
    return postgres_session_engine


# --- SQLite -----------------------------------------------------------------------------------


@pytest.fixture
def sqlite_path(tmp_path: Path) -> Path:
    """Where this test's SQLite database lives."""
    return tmp_path / "data" / "strongroom.db"


@pytest.fixture
def sqlite_engine(sqlite_path: Path) -> Iterator[Engine]:
    """A fresh, migrated SQLite database for this test."""
    engine = create_database_engine(f"sqlite:///{sqlite_path}")
    try:
        upgrade_database(engine)
        yield engine
    finally:
        engine.dispose()


# --- Either, and the fakes --------------------------------------------------------------------


@pytest.fixture(params=SQL_BACKENDS)
def sql_engine(request: pytest.FixtureRequest) -> Engine:
    """A migrated, empty database on each SQL backend."""
    engine: Engine = request.getfixturevalue(f"{request.param}_engine")
    return engine


@pytest.fixture(params=STORAGE_BACKENDS)
def uow_factory(request: pytest.FixtureRequest) -> UnitOfWorkFactory:
    """A unit-of-work factory on empty storage: the in-memory fakes, SQLite and PostgreSQL."""
    if request.param == "memory":
        return MemoryUnitOfWorkFactory()
    engine: Engine = request.getfixturevalue(f"{request.param}_engine")
    return SqlUnitOfWorkFactory(engine)


# --- SoftHSM2, the HSM of the PKCS#11 tests ---------------------------------------------------

SOFTHSM_MODULE_ENV = "STRONGROOM_TEST_PKCS11_MODULE"
DEFAULT_SOFTHSM_MODULE = "/usr/lib/softhsm/libsofthsm2.so"


def _softhsm_unavailable(reason: str) -> NoReturn:
    message = (
        f"SoftHSM2 is not available ({reason}): run `make softhsm` (or `apt-get install "
        f"softhsm2`), or point {SOFTHSM_MODULE_ENV} at libsofthsm2.so"
    )
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture
def softhsm(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[KeyProviderOptions]:
    """A fresh SoftHSM2 token in this test's own token directory, and the options that open it.

    SOFTHSM2_CONF is set for this test only: the SoftHSM2 library reads it (Strongroom never
    does) and CLI subprocesses inherit it. The library is restarted to read it, and stopped after.
    """
    module = Path(os.environ.get(SOFTHSM_MODULE_ENV, DEFAULT_SOFTHSM_MODULE))
    util = shutil.which("softhsm2-util")
    if util is None:
        _softhsm_unavailable("softhsm2-util is not on the PATH")
    if not module.is_file():
        _softhsm_unavailable(f"there is no module at {module}")
    tokens = tmp_path / "softhsm-tokens"
    tokens.mkdir()
    conf = tmp_path / "softhsm2.conf"
    settings = f"directories.tokendir = {tokens}\nobjectstore.backend = file\n"
    conf.write_text(settings)
    label, pin = f"strongroom-{secrets.token_hex(4)}", secrets.token_hex(8)
    init = [util, "--init-token", "--free", "--label", label, "--pin", pin]
    subprocess.run(
        [*init, "--so-pin", secrets.token_hex(8)],
        env={**os.environ, "SOFTHSM2_CONF": str(conf)},
        check=True,
        capture_output=True,
    )
    monkeypatch.setenv("SOFTHSM2_CONF", str(conf))
    library = pkcs11.lib(str(module))
    library.reinitialize()  # SoftHSM2 reads its configuration when initialised, not after
    try:
        yield KeyProviderOptions(
            root_key_path=tmp_path / "no-root-key-file",
            pkcs11_module=module,
            pkcs11_token_label=label,
            pkcs11_pin=pin,
        )
    finally:
        library.finalize()
