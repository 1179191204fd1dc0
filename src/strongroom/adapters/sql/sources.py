"""SQL repository of sources: their settings, write keys and the signed-batch replay guard."""

from __future__ import annotations

import builtins
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, or_, select, update
from sqlalchemy.engine import Connection, Row

from strongroom.adapters.sql._support import write
from strongroom.adapters.sql.tables import sources, write_keys
from strongroom.adapters.sql.tables_sources import seen_signatures
from strongroom.core.errors import NotFoundError
from strongroom.core.models import Channel, Source, WriteKey


def _source(row: Row[Any]) -> Source:
    return Source(
        id=row.id,
        name=row.name,
        channel=Channel(row.channel),
        created_at=row.created_at,
        disabled_at=row.disabled_at,
        allowed_origins=tuple(row.allowed_origins),
        rate_limit=row.rate_limit,
        require_signature=bool(row.require_signature),
    )


def _key(row: Row[Any]) -> WriteKey:
    return WriteKey(
        id=row.k_id,
        source_id=row.k_source_id,
        key_hash=row.k_key_hash,
        prefix=row.k_prefix,
        created_at=row.k_created_at,
        revoked_at=row.k_revoked_at,
        expires_at=row.k_expires_at,
        signing_secret=row.k_signing_secret,
    )


def _key_row(key: WriteKey) -> dict[str, Any]:
    return {
        "id": key.id,
        "source_id": key.source_id,
        "key_hash": key.key_hash,
        "prefix": key.prefix,
        "created_at": key.created_at,
        "revoked_at": key.revoked_at,
        "expires_at": key.expires_at,
        "signing_secret": key.signing_secret,
    }


_KEY_COLUMNS = tuple(column.label(f"k_{column.name}") for column in write_keys.c)


class SqlSourceRepository:
    """Sources of customer data, each with its settings and the write keys it sends."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def add(self, source: Source, key: WriteKey) -> None:
        source_row = {
            "id": source.id,
            "name": source.name,
            "channel": source.channel.value,
            "created_at": source.created_at,
            "disabled_at": source.disabled_at,
            "allowed_origins": list(source.allowed_origins),
            "rate_limit": source.rate_limit,
            "require_signature": source.require_signature,
        }
        write(self._connection, insert(sources), [source_row])
        write(self._connection, insert(write_keys), [_key_row(key)])

    def by_name(self, name: str) -> Source | None:
        row = self._connection.execute(select(sources).where(sources.c.name == name)).first()
        return None if row is None else _source(row)

    def by_key_hash(self, key_hash: bytes) -> Source | None:
        statement = (
            select(sources)
            .join(write_keys, write_keys.c.source_id == sources.c.id)
            .where(
                write_keys.c.key_hash == key_hash,
                write_keys.c.revoked_at.is_(None),
                sources.c.disabled_at.is_(None),
            )
        )
        row = self._connection.execute(statement).first()
        return None if row is None else _source(row)

    def list(self) -> builtins.list[Source]:
        statement = select(sources).order_by(sources.c.name)
        return [_source(row) for row in self._connection.execute(statement)]

    def active_key(self, key_hash: bytes, now: datetime) -> tuple[Source, WriteKey] | None:
        statement = (
            select(sources, *_KEY_COLUMNS)
            .join(write_keys, write_keys.c.source_id == sources.c.id)
            .where(
                write_keys.c.key_hash == key_hash,
                write_keys.c.revoked_at.is_(None),
                or_(write_keys.c.expires_at.is_(None), write_keys.c.expires_at > now),
                sources.c.disabled_at.is_(None),
            )
        )
        row = self._connection.execute(statement).first()
        return None if row is None else (_source(row), _key(row))

    def keys(self, source_id: str) -> builtins.list[WriteKey]:
        statement = (
            select(*_KEY_COLUMNS)
            .where(write_keys.c.source_id == source_id)
            .order_by(write_keys.c.created_at, write_keys.c.id)
        )
        return [_key(row) for row in self._connection.execute(statement)]

    def add_key(self, key: WriteKey) -> None:
        write(self._connection, insert(write_keys), [_key_row(key)])

    def expire_keys(self, source_id: str, when: datetime) -> None:
        statement = (
            update(write_keys)
            .where(
                write_keys.c.source_id == source_id,
                write_keys.c.revoked_at.is_(None),
                or_(write_keys.c.expires_at.is_(None), write_keys.c.expires_at > when),
            )
            .values(expires_at=when)
        )
        self._connection.execute(statement)

    def revoke_key(self, key_id: str, when: datetime) -> None:
        found = select(write_keys.c.id).where(write_keys.c.id == key_id)
        if self._connection.execute(found).first() is None:
            raise NotFoundError(f"no write key {key_id!r}")
        statement = (
            update(write_keys)
            .where(write_keys.c.id == key_id, write_keys.c.revoked_at.is_(None))
            .values(revoked_at=when)
        )
        self._connection.execute(statement)

    def update_settings(self, source: Source) -> None:
        statement = (
            update(sources)
            .where(sources.c.id == source.id)
            .values(
                allowed_origins=list(source.allowed_origins),
                rate_limit=source.rate_limit,
                require_signature=source.require_signature,
            )
        )
        if self._connection.execute(statement).rowcount != 1:
            raise NotFoundError(f"no source {source.name!r}")

    def remember_signature(self, source_id: str, digest: bytes, expires_at: datetime) -> None:
        row = {"source_id": source_id, "digest": digest, "expires_at": expires_at}
        write(self._connection, insert(seen_signatures), [row])

    def forget_signatures(self, before: datetime) -> None:
        self._connection.execute(
            delete(seen_signatures).where(seen_signatures.c.expires_at < before)
        )
