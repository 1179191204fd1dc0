"""SQL repositories of machine principals: service and vendor keys, apps, tokens and grants."""

from __future__ import annotations

import builtins
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Connection, Row

from strongroom.adapters.sql._support import write
from strongroom.adapters.sql.tables_machines import (
    app_grants,
    app_tokens,
    machine_keys,
    third_party_apps,
)
from strongroom.core.errors import NotFoundError
from strongroom.core.machines import AppGrant, AppToken, MachineKey, MachineKind, ThirdPartyApp
from strongroom.core.models import CustomerId


def _key_row(key: MachineKey) -> dict[str, Any]:
    return {
        "id": key.id,
        "kind": key.kind.value,
        "name": key.name,
        "key_hash": key.key_hash,
        "prefix": key.prefix,
        "created_at": key.created_at,
        "created_by": key.created_by,
        "valid_from": key.valid_from,
        "expires_at": key.expires_at,
        "role": key.role,
        "scopes": list(key.scopes),
        "networks": list(key.networks),
        "fields": list(key.fields),
        "purpose": key.purpose,
        "cert_fingerprint": key.cert_fingerprint,
        "revoked_at": key.revoked_at,
    }


def _key(row: Row[Any]) -> MachineKey:
    return MachineKey(
        id=row.id,
        kind=MachineKind(row.kind),
        name=row.name,
        key_hash=bytes(row.key_hash),
        prefix=row.prefix,
        created_at=row.created_at,
        created_by=row.created_by,
        valid_from=row.valid_from,
        expires_at=row.expires_at,
        role=row.role,
        scopes=tuple(row.scopes),
        networks=tuple(row.networks),
        fields=tuple(row.fields),
        purpose=row.purpose,
        cert_fingerprint=row.cert_fingerprint,
        revoked_at=row.revoked_at,
    )


class SqlMachineKeyRepository:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def add(self, key: MachineKey) -> None:
        write(self._connection, insert(machine_keys), [_key_row(key)])

    def get(self, key_id: str) -> MachineKey | None:
        row = self._connection.execute(
            select(machine_keys).where(machine_keys.c.id == key_id)
        ).first()
        return None if row is None else _key(row)

    def by_hash(self, key_hash: bytes) -> MachineKey | None:
        row = self._connection.execute(
            select(machine_keys).where(machine_keys.c.key_hash == key_hash)
        ).first()
        return None if row is None else _key(row)

    def list(self, kind: MachineKind) -> builtins.list[MachineKey]:
        statement = (
            select(machine_keys)
            .where(machine_keys.c.kind == kind.value)
            .order_by(machine_keys.c.created_at, machine_keys.c.id)
        )
        return [_key(row) for row in self._connection.execute(statement)]

    def revoke(self, key_id: str, when: datetime) -> None:
        if self.get(key_id) is None:
            raise NotFoundError(f"no machine key with id {key_id!r}")
        self._connection.execute(
            update(machine_keys)
            .where(machine_keys.c.id == key_id, machine_keys.c.revoked_at.is_(None))
            .values(revoked_at=when)
        )


def _app(row: Row[Any]) -> ThirdPartyApp:
    return ThirdPartyApp(
        client_id=row.client_id,
        name=row.name,
        secret_hash=bytes(row.secret_hash),
        scopes=tuple(row.scopes),
        created_at=row.created_at,
        created_by=row.created_by,
        revoked_at=row.revoked_at,
    )


def _grant(row: Row[Any]) -> AppGrant:
    return AppGrant(
        customer_id=CustomerId(row.customer_id),
        client_id=row.client_id,
        purpose=row.purpose,
        granted=row.granted,
        recorded_at=row.recorded_at,
        recorded_by=row.recorded_by,
    )


class SqlAppRepository:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def add(self, app: ThirdPartyApp) -> None:
        row = {
            "client_id": app.client_id,
            "name": app.name,
            "secret_hash": app.secret_hash,
            "scopes": list(app.scopes),
            "created_at": app.created_at,
            "created_by": app.created_by,
            "revoked_at": app.revoked_at,
        }
        write(self._connection, insert(third_party_apps), [row])

    def get(self, client_id: str) -> ThirdPartyApp | None:
        statement = select(third_party_apps).where(third_party_apps.c.client_id == client_id)
        row = self._connection.execute(statement).first()
        return None if row is None else _app(row)

    def list(self) -> builtins.list[ThirdPartyApp]:
        statement = select(third_party_apps).order_by(
            third_party_apps.c.created_at, third_party_apps.c.client_id
        )
        return [_app(row) for row in self._connection.execute(statement)]

    def revoke(self, client_id: str, when: datetime) -> None:
        if self.get(client_id) is None:
            raise NotFoundError(f"no app with client id {client_id!r}")
        self._connection.execute(
            update(third_party_apps)
            .where(
                third_party_apps.c.client_id == client_id, third_party_apps.c.revoked_at.is_(None)
            )
            .values(revoked_at=when)
        )

    def add_token(self, token: AppToken) -> None:
        row = {
            "token_hash": token.token_hash,
            "client_id": token.client_id,
            "scopes": list(token.scopes),
            "issued_at": token.issued_at,
            "expires_at": token.expires_at,
        }
        write(self._connection, insert(app_tokens), [row])

    def token(self, token_hash: bytes) -> AppToken | None:
        statement = select(app_tokens).where(app_tokens.c.token_hash == token_hash)
        row = self._connection.execute(statement).first()
        if row is None:
            return None
        return AppToken(
            bytes(row.token_hash), row.client_id, tuple(row.scopes), row.issued_at, row.expires_at
        )

    def forget_tokens(self, before: datetime) -> int:
        statement = delete(app_tokens).where(app_tokens.c.expires_at < before)
        return int(self._connection.execute(statement).rowcount)

    def add_grant(self, grant: AppGrant) -> None:
        row = {
            "customer_id": grant.customer_id,
            "client_id": grant.client_id,
            "purpose": grant.purpose,
            "granted": grant.granted,
            "recorded_at": grant.recorded_at,
            "recorded_by": grant.recorded_by,
        }
        write(self._connection, insert(app_grants), [row])

    def grant_in_force(self, customer_id: CustomerId, client_id: str, purpose: str) -> bool:
        statement = (
            select(app_grants.c.granted)
            .where(
                app_grants.c.customer_id == customer_id,
                app_grants.c.client_id == client_id,
                app_grants.c.purpose == purpose,
            )
            .order_by(app_grants.c.recorded_at.desc(), app_grants.c.id.desc())
            .limit(1)
        )
        return bool(self._connection.execute(statement).scalar())

    def grants(self, customer_id: CustomerId) -> builtins.list[AppGrant]:
        statement = (
            select(app_grants)
            .where(app_grants.c.customer_id == customer_id)
            .order_by(app_grants.c.recorded_at, app_grants.c.id)
        )
        return [_grant(row) for row in self._connection.execute(statement)]
