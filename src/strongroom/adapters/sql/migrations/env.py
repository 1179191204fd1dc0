"""Alembic environment: migrates the connection Strongroom hands over, or a URL for developers."""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from strongroom.adapters.sql.engine import create_database_engine
from strongroom.adapters.sql.schema import metadata


def _configure_and_run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


def _database_url() -> str:
    # Only settings.py reads the environment, so developers pass the URL explicitly.
    url = context.get_x_argument(as_dictionary=True).get("url") or context.config.get_main_option(
        "sqlalchemy.url"
    )
    if not url:
        raise RuntimeError("pass the database to migrate: alembic -x url=sqlite:///path ...")
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
