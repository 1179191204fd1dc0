"""End-to-end fixtures: a real data home made with the real CLI, and the real server over TLS.

One server per database (SQLite, PostgreSQL) is shared by the whole session; tests keep out of
each other's way by using unique identifiers and emails (see ``harness.unique``).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
import pytest
from psycopg import sql
from sqlalchemy.engine import make_url

from .harness import (
    DEFAULT_POSTGRES_URL,
    POSTGRES_URL_ENV,
    STAFF_ROLES,
    Database,
    RunningServer,
    create_home,
    libpq_url,
    postgres_unreachable,
    serving,
    trained_token,
)

_DATABASES = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@contextmanager
def fresh_database(kind: str) -> Iterator[Database]:
    """SQLite in the data home, or a new PostgreSQL database dropped at the end."""
    if kind == "sqlite":
        yield Database("sqlite", None)
        return
    base = make_url(os.environ.get(POSTGRES_URL_ENV, DEFAULT_POSTGRES_URL))
    name = f"strongroom_e2e_{secrets.token_hex(6)}"
    try:
        admin = psycopg.connect(libpq_url(base), autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as error:
        postgres_unreachable(str(error).strip().splitlines()[0] if str(error) else "no answer")
    with admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    url = base.set(drivername="postgresql+psycopg", database=name)
    try:
        yield Database("postgresql", url.render_as_string(hide_password=False))
    finally:
        with psycopg.connect(libpq_url(base), autocommit=True, connect_timeout=5) as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


@pytest.fixture(scope="session", params=_DATABASES)
def e2e_database(request: pytest.FixtureRequest) -> Iterator[Database]:
    """The database of the session's shared server."""
    with fresh_database(request.param) as database:
        yield database


@pytest.fixture(scope="module", params=_DATABASES)
def module_database(request: pytest.FixtureRequest) -> Iterator[Database]:
    """A database of its own for a module that makes its own data home."""
    with fresh_database(request.param) as database:
        yield database


@pytest.fixture(scope="session")
def strongroom_server(
    e2e_database: Database, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningServer]:
    """A data home made by the CLI (web source, support/dpo/admin tokens), served over TLS."""
    root = tmp_path_factory.mktemp(f"e2e-{e2e_database.kind}")
    home = create_home(root / "home", e2e_database)
    write_key = home.cli_json("sources", "create", "e2e-web", "--channel", "web")["write_key"]
    issued = {role: trained_token(home, f"e2e-{role}", role) for role in STAFF_ROLES}
    with serving(home, root / "server.log") as served:
        yield RunningServer(
            base_url=served.base_url,
            port=served.port,
            cert=home.cert,
            write_key=write_key,
            tokens={role: token["token"] for role, token in issued.items()},
            token_ids={role: token["id"] for role, token in issued.items()},
            home=home.path,
            env=home.env,
            database=e2e_database,
        )
