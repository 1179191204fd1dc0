"""Column types shared by every table: UTC timestamps and JSON that is JSONB on PostgreSQL."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, DateTime, Integer
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine

from strongroom.core.clock import ensure_utc


class UtcDateTime(TypeDecorator[datetime]):
    """A timestamp stored as UTC and always read back timezone-aware, on SQLite too."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        # SQLite drops the offset without converting, so convert before it does.
        return None if value is None else ensure_utc(value)

    def process_result_value(self, value: Any | None, dialect: Dialect) -> datetime | None:
        return None if value is None else ensure_utc(value)


def json_type() -> TypeEngine[Any]:
    """Portable JSON, stored as JSONB on PostgreSQL."""
    return JSON().with_variant(JSONB(), "postgresql")


def serial_type() -> TypeEngine[int]:
    """An autoincrementing surrogate key: BIGINT on PostgreSQL, the rowid alias on SQLite."""
    return BigInteger().with_variant(Integer(), "sqlite")
