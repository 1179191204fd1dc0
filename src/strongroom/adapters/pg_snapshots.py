"""PostgreSQL snapshots with pg_dump and pg_restore, run as child processes.

pg_dump takes one consistent snapshot of the database (a repeatable-read transaction) in its
custom format. The connection is handed over as a libpq connection string built by psycopg, which
quotes every part, and never through a shell; the password goes only into the child's own
environment (PGPASSWORD), never onto its command line where other users could read it.
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

from psycopg.conninfo import make_conninfo
from sqlalchemy import MetaData, create_engine
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool

from strongroom.adapters.snapshots import database_has_data, private_temporary
from strongroom.core.custody import ProgressCallback
from strongroom.core.errors import ConfigurationError

_CUSTOM_FORMAT_MAGIC = b"PGDMP"
_TIMEOUT_SECONDS = 24 * 3600
_INSTALL_HINT = (
    "install the PostgreSQL client tools (Debian: apt-get install postgresql-client) of the "
    "server's major version or newer"
)


class PostgresSnapshots:
    """Snapshots of one PostgreSQL database through pg_dump and pg_restore."""

    kind = "postgresql"

    def __init__(self, database_url: str, *, workdir: Path) -> None:
        url = make_url(database_url)
        self._url = url.set(drivername="postgresql+psycopg")
        self._workdir = workdir
        query = {key: str(value) for key, value in url.query.items()}
        self._conninfo = make_conninfo(
            "",
            host=url.host,
            port=url.port,
            user=url.username,
            dbname=url.database,
            application_name="strongroom-backup",
            **query,
        )
        self._child_env = {"PGPASSWORD": url.password} if url.password else {}

    @contextlib.contextmanager
    def snapshot(self, progress: ProgressCallback) -> Iterator[BinaryIO]:
        with private_temporary(self._workdir, ".pgdump") as dump:
            progress("snapshot", 0, None)
            self._run(
                "pg_dump",
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                f"--file={dump}",
                f"--dbname={self._conninfo}",
            )
            size = dump.stat().st_size
            progress("snapshot", size, size)
            with dump.open("rb") as stream:
                yield stream

    def has_data(self) -> bool:
        engine = self._engine()
        try:
            return database_has_data(engine)
        except OperationalError as error:
            raise ConfigurationError(
                f"cannot reach the PostgreSQL database ({_first_line(error)}): create it first; "
                "a restore needs an existing, preferably empty, database"
            ) from None
        finally:
            engine.dispose()

    def restore(
        self,
        write: Callable[[BinaryIO], None],
        prepare: Callable[[str], None],
        *,
        progress: ProgressCallback,
    ) -> None:
        with private_temporary(self._workdir, ".pgdump") as dump:
            with dump.open("wb") as stream:
                write(stream)
            with dump.open("rb") as stream:
                if stream.read(len(_CUSTOM_FORMAT_MAGIC)) != _CUSTOM_FORMAT_MAGIC:
                    raise ConfigurationError(
                        "the backup does not hold a pg_dump archive; nothing was restored"
                    )
            progress("restore", 0, None)
            self._wipe()  # --force replaces everything; an empty database stays empty
            try:
                self._run(
                    "pg_restore",
                    "--no-owner",
                    "--no-privileges",
                    "--exit-on-error",
                    "--single-transaction",
                    f"--dbname={self._conninfo}",
                    str(dump),
                )
                # The restored data is live from here, so it is taken away if finishing fails.
                prepare(self._url.render_as_string(hide_password=False))
            except BaseException:
                self._wipe()
                raise
            progress("restore", 1, 1)

    def _run(self, tool: str, *arguments: str) -> None:
        executable = shutil.which(tool)
        if executable is None:
            raise ConfigurationError(f"{tool} is not installed: {_INSTALL_HINT}")
        try:
            subprocess.run(  # noqa: S603 - fixed executable, arguments never pass through a shell
                [executable, *arguments],
                env=self._child_env,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                check=True,
                timeout=_TIMEOUT_SECONDS,
            )
        except subprocess.CalledProcessError as error:
            raise ConfigurationError(
                f"{tool} failed (exit {error.returncode}): {_last_line(error.stderr)}"
            ) from None
        except subprocess.TimeoutExpired:
            raise ConfigurationError(
                f"{tool} did not finish within a day; it was stopped"
            ) from None

    def _engine(self) -> Engine:
        return create_engine(self._url, poolclass=NullPool)

    def _wipe(self) -> None:
        """Drop every table of the database's default schema (with their sequences)."""
        engine = self._engine()
        try:
            tables = MetaData()
            tables.reflect(engine)
            tables.drop_all(engine)
        finally:
            engine.dispose()


def _first_line(error: OperationalError) -> str:
    lines = str(error.orig).strip().splitlines()
    return lines[0] if lines else "no answer"


def _last_line(stderr: bytes | None) -> str:
    lines = (stderr or b"").decode("utf-8", "replace").strip().splitlines()
    # The tool's own words name the problem (a refused connection, a version mismatch); they carry
    # the host and database name but never the password, which is not on its command line.
    return lines[-1][:300] if lines else "no message"
