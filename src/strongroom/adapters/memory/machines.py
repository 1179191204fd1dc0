"""In-memory fakes of the machine principal repositories: keys, apps, tokens and grants."""

from __future__ import annotations

import builtins
from dataclasses import replace
from datetime import datetime

from strongroom.adapters.memory.machine_state import MachineState
from strongroom.adapters.memory.store import Staging, as_utc, check_new
from strongroom.core.errors import NotFoundError
from strongroom.core.machines import AppGrant, AppToken, MachineKey, MachineKind, ThirdPartyApp
from strongroom.core.models import CustomerId


class MemoryMachineKeyRepository:
    """Fake of MachineKeyRepository."""

    def __init__(self, staging: Staging) -> None:
        self._staging = staging

    @property
    def _keys(self) -> dict[str, MachineKey]:
        return self._staging.store.machines.keys

    def add(self, key: MachineKey) -> None:
        check_new(self._keys, [key.id], "machine key id")
        check_new({k.key_hash for k in self._keys.values()}, [key.key_hash], "machine key hash")
        self._keys[key.id] = as_utc(key)

    def get(self, key_id: str) -> MachineKey | None:
        return self._keys.get(key_id)

    def by_hash(self, key_hash: bytes) -> MachineKey | None:
        return next((k for k in self._keys.values() if k.key_hash == key_hash), None)

    def list(self, kind: MachineKind) -> builtins.list[MachineKey]:
        found = [k for k in self._keys.values() if k.kind is kind]
        return sorted(found, key=lambda k: (k.created_at, k.id))

    def revoke(self, key_id: str, when: datetime) -> None:
        key = self._keys.get(key_id)
        if key is None:
            raise NotFoundError(f"no machine key with id {key_id!r}")
        if key.revoked_at is None:
            self._keys[key_id] = as_utc(replace(key, revoked_at=when))


class MemoryAppRepository:
    """Fake of AppRepository (foreign keys are not checked)."""

    def __init__(self, staging: Staging) -> None:
        self._staging = staging

    @property
    def _state(self) -> MachineState:
        return self._staging.store.machines

    def add(self, app: ThirdPartyApp) -> None:
        check_new(self._state.apps, [app.client_id], "app client id")
        check_new({a.name for a in self._state.apps.values()}, [app.name], "app name")
        self._state.apps[app.client_id] = as_utc(app)

    def get(self, client_id: str) -> ThirdPartyApp | None:
        return self._state.apps.get(client_id)

    def list(self) -> builtins.list[ThirdPartyApp]:
        return sorted(self._state.apps.values(), key=lambda a: (a.created_at, a.client_id))

    def revoke(self, client_id: str, when: datetime) -> None:
        app = self._state.apps.get(client_id)
        if app is None:
            raise NotFoundError(f"no app with client id {client_id!r}")
        if app.revoked_at is None:
            self._state.apps[client_id] = as_utc(replace(app, revoked_at=when))

    def add_token(self, token: AppToken) -> None:
        check_new(self._state.tokens, [token.token_hash], "app token")
        self._state.tokens[token.token_hash] = as_utc(token)

    def token(self, token_hash: bytes) -> AppToken | None:
        return self._state.tokens.get(token_hash)

    def forget_tokens(self, before: datetime) -> int:
        stale = [h for h, t in self._state.tokens.items() if t.expires_at < before]
        for token_hash in stale:
            del self._state.tokens[token_hash]
        return len(stale)

    def add_grant(self, grant: AppGrant) -> None:
        self._state.grants.append(as_utc(grant))

    def grant_in_force(self, customer_id: CustomerId, client_id: str, purpose: str) -> bool:
        decisions = [
            (g.recorded_at, n, g.granted)
            for n, g in enumerate(self._state.grants)
            if (g.customer_id, g.client_id, g.purpose) == (customer_id, client_id, purpose)
        ]
        return max(decisions)[2] if decisions else False

    def grants(self, customer_id: CustomerId) -> builtins.list[AppGrant]:
        mine = [(g.recorded_at, n, g) for n, g in enumerate(self._state.grants)]
        return [g for _, _, g in sorted(mine, key=lambda t: t[:2]) if g.customer_id == customer_id]
