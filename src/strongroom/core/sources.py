"""The port of sources: their settings, write keys and the signed-batch replay guard."""

from __future__ import annotations

import builtins
from datetime import datetime
from typing import Protocol

from strongroom.core.models import Source, WriteKey


class SourceRepository(Protocol):
    def add(self, source: Source, key: WriteKey) -> None: ...

    def by_name(self, name: str) -> Source | None: ...

    def by_key_hash(self, key_hash: bytes) -> Source | None:
        """The enabled source owning this unrevoked write key, if any (expiry not checked)."""
        ...

    def list(self) -> list[Source]: ...

    def active_key(self, key_hash: bytes, now: datetime) -> tuple[Source, WriteKey] | None:
        """The enabled source and its write key, if the key is unrevoked and unexpired at now."""
        ...

    def keys(self, source_id: str) -> builtins.list[WriteKey]:
        """Every write key of the source, revoked and expired ones too, oldest first."""
        ...

    def add_key(self, key: WriteKey) -> None: ...

    def expire_keys(self, source_id: str, when: datetime) -> None:
        """Make every unrevoked key of the source that expires later (or never) expire at when."""
        ...

    def revoke_key(self, key_id: str, when: datetime) -> None:
        """Revoke the key at ``when``; revoking it again keeps the first time."""
        ...

    def update_settings(self, source: Source) -> None:
        """Store the source's allowed origins, rate limit and signature requirement."""
        ...

    def remember_signature(self, source_id: str, digest: bytes, expires_at: datetime) -> None:
        """Hold an accepted signature's digest until ``expires_at``; ConflictError if held."""
        ...

    def forget_signatures(self, before: datetime) -> None:
        """Drop digests that expired before ``before``: replays of them are stale anyway."""
        ...
