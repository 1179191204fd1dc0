"""Fake of SourceRepository: sources, their settings and write keys, seen signatures."""

from __future__ import annotations

import builtins
from dataclasses import replace
from datetime import datetime

from strongroom.adapters.memory.store import Staging, as_utc, check_new
from strongroom.core.clock import ensure_utc
from strongroom.core.errors import NotFoundError
from strongroom.core.models import Source, WriteKey


class MemorySourceRepository:
    """Fake of SourceRepository."""

    def __init__(self, staging: Staging) -> None:
        self._staging = staging

    def add(self, source: Source, key: WriteKey) -> None:
        store = self._staging.store
        check_new(store.sources, [source.id], "source id")
        check_new({s.name for s in store.sources.values()}, [source.name], "source name")
        store.sources[source.id] = as_utc(source)
        self.add_key(key)

    def by_name(self, name: str) -> Source | None:
        return next((s for s in self._staging.store.sources.values() if s.name == name), None)

    def by_key_hash(self, key_hash: bytes) -> Source | None:
        store = self._staging.store
        for key in store.write_keys.values():
            if key.key_hash == key_hash and key.revoked_at is None:
                source = store.sources.get(key.source_id)
                if source is not None and source.disabled_at is None:
                    return source
        return None

    def list(self) -> builtins.list[Source]:
        return sorted(self._staging.store.sources.values(), key=lambda s: s.name)

    def active_key(self, key_hash: bytes, now: datetime) -> tuple[Source, WriteKey] | None:
        store = self._staging.store
        for key in store.write_keys.values():
            live = key.revoked_at is None and (key.expires_at is None or key.expires_at > now)
            if key.key_hash == key_hash and live:
                source = store.sources.get(key.source_id)
                if source is not None and source.disabled_at is None:
                    return source, key
        return None

    def keys(self, source_id: str) -> builtins.list[WriteKey]:
        mine = [k for k in self._staging.store.write_keys.values() if k.source_id == source_id]
        return sorted(mine, key=lambda k: (k.created_at, k.id))

    def add_key(self, key: WriteKey) -> None:
        store = self._staging.store
        check_new(store.write_keys, [key.id], "write key id")
        check_new({k.key_hash for k in store.write_keys.values()}, [key.key_hash], "write key")
        store.write_keys[key.id] = as_utc(key)

    def expire_keys(self, source_id: str, when: datetime) -> None:
        store, when = self._staging.store, ensure_utc(when)
        for key in self.keys(source_id):
            if key.revoked_at is None and (key.expires_at is None or key.expires_at > when):
                store.write_keys[key.id] = replace(key, expires_at=when)

    def revoke_key(self, key_id: str, when: datetime) -> None:
        store = self._staging.store
        key = store.write_keys.get(key_id)
        if key is None:
            raise NotFoundError(f"no write key {key_id!r}")
        if key.revoked_at is None:
            store.write_keys[key_id] = replace(key, revoked_at=ensure_utc(when))

    def update_settings(self, source: Source) -> None:
        store = self._staging.store
        stored = store.sources.get(source.id)
        if stored is None:
            raise NotFoundError(f"no source {source.name!r}")
        store.sources[source.id] = replace(
            stored,
            allowed_origins=tuple(source.allowed_origins),
            rate_limit=source.rate_limit,
            require_signature=source.require_signature,
        )

    def remember_signature(self, source_id: str, digest: bytes, expires_at: datetime) -> None:
        seen = self._staging.store.seen_signatures
        check_new(seen, [(source_id, digest)], "signature")
        seen[(source_id, digest)] = ensure_utc(expires_at)

    def forget_signatures(self, before: datetime) -> None:
        seen, before = self._staging.store.seen_signatures, ensure_utc(before)
        for held in [held for held, expires_at in seen.items() if expires_at < before]:
            del seen[held]
