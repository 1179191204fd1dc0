"""SQL repositories for who may act: principals, API tokens, data keys (sources: sources.py)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.engine import Connection, Row
from sqlalchemy.sql.elements import Label

from strongroom.adapters.sql._support import write
from strongroom.adapters.sql.tables import (
    api_tokens,
    data_keys,
    principals,
)
from strongroom.core.errors import NotFoundError
from strongroom.core.models import (
    ApiToken,
    Principal,
    WrappedDataKey,
)


def _principal(row: Row[Any]) -> Principal:
    return Principal(
        id=row.id,
        name=row.name,
        role=row.role,
        created_at=row.created_at,
        disabled_at=row.disabled_at,
    )


def principal_columns() -> list[Label[Any]]:
    """The principal's columns labelled ``p_<name>``, to select beside another table's."""
    return [column.label(f"p_{column.name}") for column in principals.c]


def joined_principal(row: Row[Any]) -> Principal:
    """The principal in a row selected with ``principal_columns()``."""
    return Principal(
        id=row.p_id,
        name=row.p_name,
        role=row.p_role,
        created_at=row.p_created_at,
        disabled_at=row.p_disabled_at,
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
            select(api_tokens, *principal_columns())
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
        return _token(row), joined_principal(row)

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
