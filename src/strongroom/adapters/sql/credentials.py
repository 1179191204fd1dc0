"""SQL repositories for who may act: sources and write keys, principals, API tokens, data keys."""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.engine import Connection, Row

from strongroom.adapters.sql._support import write
from strongroom.adapters.sql.tables import (
    api_tokens,
    data_keys,
    principals,
    sources,
    write_keys,
)
from strongroom.core.errors import NotFoundError
from strongroom.core.models import (
    ApiToken,
    Channel,
    Principal,
    Source,
    WrappedDataKey,
    WriteKey,
)


def _source(row: Row[Any]) -> Source:
    return Source(
        id=row.id,
        name=row.name,
        channel=Channel(row.channel),
        created_at=row.created_at,
        disabled_at=row.disabled_at,
    )


class SqlSourceRepository:
    """Sources of customer data, each with the write keys it sends."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def add(self, source: Source, key: WriteKey) -> None:
        source_row = {
            "id": source.id,
            "name": source.name,
            "channel": source.channel.value,
            "created_at": source.created_at,
            "disabled_at": source.disabled_at,
        }
        key_row = {
            "id": key.id,
            "source_id": key.source_id,
            "key_hash": key.key_hash,
            "prefix": key.prefix,
            "created_at": key.created_at,
            "revoked_at": key.revoked_at,
        }
        write(self._connection, insert(sources), [source_row])
        write(self._connection, insert(write_keys), [key_row])

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


def _principal(row: Row[Any]) -> Principal:
    return Principal(
        id=row.id,
        name=row.name,
        role=row.role,
        created_at=row.created_at,
        disabled_at=row.disabled_at,
    )


class SqlPrincipalRepository:
    """Staff principals."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def add(self, principal: Principal) -> None:
        row = {
            "id": principal.id,
            "name": principal.name,
            "role": principal.role,
            "created_at": principal.created_at,
            "disabled_at": principal.disabled_at,
        }
        write(self._connection, insert(principals), [row])

    def by_name(self, name: str) -> Principal | None:
        statement = select(principals).where(principals.c.name == name)
        row = self._connection.execute(statement).first()
        return None if row is None else _principal(row)


def _token(row: Row[Any]) -> ApiToken:
    return ApiToken(
        id=row.id,
        principal_id=row.principal_id,
        token_hash=row.token_hash,
        prefix=row.prefix,
        created_at=row.created_at,
        revoked_at=row.revoked_at,
    )


class SqlApiTokenRepository:
    """Staff API tokens, stored as hashes only."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def add(self, token: ApiToken) -> None:
        row = {
            "id": token.id,
            "principal_id": token.principal_id,
            "token_hash": token.token_hash,
            "prefix": token.prefix,
            "created_at": token.created_at,
            "revoked_at": token.revoked_at,
        }
        write(self._connection, insert(api_tokens), [row])

    def get(self, token_id: str) -> ApiToken | None:
        statement = select(api_tokens).where(api_tokens.c.id == token_id)
        row = self._connection.execute(statement).first()
        return None if row is None else _token(row)

    def by_hash(self, token_hash: bytes) -> tuple[ApiToken, Principal] | None:
        statement = (
            select(api_tokens, *(column.label(f"p_{column.name}") for column in principals.c))
            .join(principals, principals.c.id == api_tokens.c.principal_id)
            .where(
                api_tokens.c.token_hash == token_hash,
                api_tokens.c.revoked_at.is_(None),
                principals.c.disabled_at.is_(None),
            )
        )
        row = self._connection.execute(statement).first()
        if row is None:
            return None
        principal = Principal(
            id=row.p_id,
            name=row.p_name,
            role=row.p_role,
            created_at=row.p_created_at,
            disabled_at=row.p_disabled_at,
        )
        return _token(row), principal

    def revoke(self, token_id: str, when: datetime) -> None:
        """Revoke the token at ``when``; revoking it again keeps the first time."""
        if self.get(token_id) is None:
            raise NotFoundError(f"no API token {token_id!r}")
        statement = (
            update(api_tokens)
            .where(api_tokens.c.id == token_id, api_tokens.c.revoked_at.is_(None))
            .values(revoked_at=when)
        )
        self._connection.execute(statement)


class SqlDataKeyRepository:
    """Versioned keyring keys, wrapped by the root key."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def all(self) -> list[WrappedDataKey]:
        statement = select(data_keys).order_by(data_keys.c.kind, data_keys.c.version)
        return [
            WrappedDataKey(
                kind=row.kind,
                version=row.version,
                wrapped=row.wrapped,
                created_at=row.created_at,
                index_bits=row.index_bits,
                retired_at=row.retired_at,
            )
            for row in self._connection.execute(statement)
        ]

    def add(self, keys: Sequence[WrappedDataKey]) -> None:
        rows = [
            {
                "kind": k.kind,
                "version": k.version,
                "wrapped": k.wrapped,
                "created_at": k.created_at,
                "index_bits": k.index_bits,
                "retired_at": k.retired_at,
            }
            for k in keys
        ]
        write(self._connection, insert(data_keys), rows)

    def rewrap(self, keys: Sequence[WrappedDataKey]) -> None:
        """Replace each live version's wrapped form; a retired version stays gone."""
        rows = [{"b_kind": k.kind, "b_version": k.version, "wrapped": k.wrapped} for k in keys]
        statement = update(data_keys).where(
            data_keys.c.kind == bindparam("b_kind"),
            data_keys.c.version == bindparam("b_version"),
            data_keys.c.retired_at.is_(None),
        )
        write(self._connection, statement, rows)

    def retire(self, kind: str, version: int, when: datetime) -> None:
        """Retire the version at ``when``; retiring it again keeps the first time."""
        this_version = (data_keys.c.kind == kind, data_keys.c.version == version)
        found = select(data_keys.c.version).where(*this_version)
        if self._connection.execute(found).first() is None:
            raise NotFoundError(f"no {kind} key version {version}; the keyring lists the versions")
        statement = (
            update(data_keys)
            .where(*this_version, data_keys.c.retired_at.is_(None))
            .values(wrapped=b"", retired_at=when)
        )
        self._connection.execute(statement)
