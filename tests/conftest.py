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
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
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

from strongroom.access.training import TrainingBook
from strongroom.adapters.keyproviders import KeyProviderOptions
from strongroom.adapters.memory import MemoryUnitOfWorkFactory
from strongroom.adapters.sql.engine import create_database_engine
from strongroom.adapters.sql.migrate import upgrade_database
from strongroom.adapters.sql.schema import metadata
from strongroom.adapters.sql.tables import AUDIT_HEAD_ID, audit_head
from strongroom.adapters.sql.unit_of_work import SqlUnitOfWorkFactory
from strongroom.audit.service import AuditLog
from strongroom.core.clock import Clock
from strongroom.core.models import Actor, Principal, PrincipalKind
from strongroom.core.policy import TrainingKind
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


# --- Staff training, for staff actors built in tests -------------------------------------------

StaffTrainer = Callable[..., None]


class _At:
    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def now(self) -> datetime:
        return self.moment


def record_training(
    uow_factory: UnitOfWorkFactory, *actors: Actor, clock: Clock | None = None
) -> None:
    """Give hand-built staff ``actors`` current training and the policy acknowledgement through
    the real TrainingBook (adding each as a person first when the store has no one of that name).

    Recorded at the real time, which the gate checks training against. Pass ``clock`` when a
    service checks training against a fixed clock of its own (a ProfileReader given a clock):
    then at the earlier of the two, since a record later than either is not current."""
    real = datetime.now(UTC)
    at = _At(min(clock.now(), real) if clock is not None else real)
    with uow_factory() as uow:
        for actor in actors:
            assert actor.kind is PrincipalKind.STAFF, actor
            if uow.principals.by_name(actor.name) is None:
                person_id = actor.principal_id or f"p-{actor.name}"
                uow.principals.add(Principal(person_id, actor.name, actor.role or "", at.now()))
        uow.commit()
    book = TrainingBook(uow_factory=uow_factory, audit=AuditLog(at), clock=at)
    operator = Actor(PrincipalKind.LOCAL, "test-operator", role="admin")
    for actor in actors:
        for kind in (TrainingKind.SECURITY_TRAINING, TrainingKind.POLICY_ACK):
            book.record(actor=operator, name=actor.name, kind=kind)


@pytest.fixture
def train_staff() -> StaffTrainer:
    """``train_staff(uow_factory, *actors, clock=None)``: hand-built staff actors pass the PII
    training gate as trained people do (see ``record_training``)."""
    return record_training


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


# --- ClamAV's clamd, the scanner of the intake tests --------------------------------------------

# The EICAR test file, built here from two halves so that no file of the project holds it whole.
EICAR_HEAD = "X5O!P%@AP[4\\PZX54(P^)7CC)7}$"
EICAR_TAIL = "EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
CLAMD_START_SECONDS = 30.0


@pytest.fixture(scope="session")
def eicar() -> bytes:
    """The EICAR anti-malware test string: every scanner must call it malware."""
    return (EICAR_HEAD + EICAR_TAIL).encode("ascii")


class Clamd:
    """A clamd of the tests' own: its config, signature database and socket in one directory."""

    def __init__(self, directory: Path, signature: bytes) -> None:
        self.directory = directory
        self.socket = directory / "clamd.sock"
        database = directory / "db"
        database.mkdir(parents=True)
        # An .ndb body signature: the bytes anywhere in any file (no official database here).
        (database / "strongroom-test.ndb").write_text(
            f"Strongroom.Test.EICAR:0:*:{signature.hex()}\n"
        )
        self.config = directory / "clamd.conf"
        self.config.write_text(
            f"Foreground yes\nLocalSocket {self.socket}\nDatabaseDirectory {database}\n"
            f"LogFile {directory / 'clamd.log'}\nStreamMaxLength 1024M\nMaxScanSize 1024M\n"
            "MaxFileSize 1024M\nAlertExceedsMax yes\n"
        )
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        clamd = shutil.which("clamd") or "/usr/sbin/clamd"
        self.process = subprocess.Popen(
            [clamd, "--config-file", str(self.config)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + CLAMD_START_SECONDS
        while not self.socket.exists():
            if self.process.poll() is not None or time.monotonic() > deadline:
                log = (self.directory / "clamd.log").read_text(errors="replace")
                pytest.fail(f"clamd did not start:\n{log}")
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)
        self.socket.unlink(missing_ok=True)


def _clamd_missing() -> None:
    if shutil.which("clamd") or Path("/usr/sbin/clamd").is_file():
        return
    message = "clamd is not installed: run `make clamav` (or `apt-get install clamav-daemon`)"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def clamd_factory(
    eicar: bytes, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Callable[[], Clamd]]:
    """Starts clamds of the tests' own (skips without clamd; fails on CI); all stopped after."""
    _clamd_missing()
    started: list[Clamd] = []

    def start() -> Clamd:
        # A short directory: a unix socket path must stay under about 100 bytes.
        clamd = Clamd(Path(tempfile.mkdtemp(prefix="clamd-")), eicar)
        clamd.start()
        started.append(clamd)
        return clamd

    yield start
    for clamd in started:
        clamd.stop()
        shutil.rmtree(clamd.directory, ignore_errors=True)


@pytest.fixture(scope="session")
def clamd_address(clamd_factory: Callable[[], Clamd]) -> str:
    """The unix socket of a running clamd that knows the EICAR test file."""
    return str(clamd_factory().socket)
