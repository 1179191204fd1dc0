"""Helpers shared by the SQL repositories: batching, and driver errors as domain errors."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

from sqlalchemy.engine import Connection
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.sql.expression import Executable

from strongroom.core.errors import ConflictError, InvalidInputError

T = TypeVar("T")

# Values per IN (...) list: well under SQLite's and PostgreSQL's bound-parameter limits.
IN_CHUNK = 500


def chunked(items: Sequence[T], size: int = IN_CHUNK) -> Iterator[Sequence[T]]:
    """``items`` in consecutive slices of at most ``size``."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def unique(items: Sequence[T]) -> list[T]:
    """``items`` without repeats, first occurrence kept, for IN lists."""
    return list(dict.fromkeys(items))


def _constraint_of(exc: IntegrityError | DataError) -> str:
    diag = getattr(exc.orig, "diag", None)  # psycopg names the constraint; sqlite3 says it
    name = getattr(diag, "constraint_name", None)
    return str(name) if name else str(exc.orig).splitlines()[0]


@contextmanager
def domain_errors() -> Iterator[None]:
    """Raise constraint violations as ConflictError and unstorable values as InvalidInputError."""
    try:
        yield
    except IntegrityError as exc:
        raise ConflictError(
            f"the change conflicts with stored data ({_constraint_of(exc)})"
        ) from exc
    except DataError as exc:
        message = getattr(getattr(exc.orig, "diag", None), "message_primary", None)
        raise InvalidInputError(f"a value cannot be stored ({message or 'invalid data'})") from exc


def write(connection: Connection, statement: Executable, rows: Sequence[Mapping[str, Any]]) -> None:
    """Run one DML statement for all ``rows`` at once (executemany); nothing if there are none."""
    if not rows:
        return
    with domain_errors():
        connection.execute(statement, list(rows))
