"""Alembic environment: migrates the connection Strongroom hands over, or a URL for developers."""

from __future__ import annotations

import os

from alembic import context
from sqlalchemy.engine import Connection

from strongroom.adapters.sql.engine import create_database_engine
from strongroom.adapters.sql.tables import metadata

URL_ENV_VAR = "STRONGROOM_DATABASE_URL"


def _configure_and_run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


def _database_url() -> str:
    url = context.config.get_main_option("sqlalchemy.url") or os.environ.get(URL_ENV_VAR)
    if not url:
        raise RuntimeError(f"set {URL_ENV_VAR} (or sqlalchemy.url) to the database to migrate")
    return url


def run_offline() -> None:
    """Emit the migration SQL for a URL without connecting."""
    context.configure(url=_database_url(), target_metadata=metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    """Migrate the handed-over connection, or connect to the configured URL."""
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _configure_and_run(connection)
        return
    engine = create_database_engine(_database_url())
    try:
        with engine.begin() as own_connection:
            _configure_and_run(own_connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
