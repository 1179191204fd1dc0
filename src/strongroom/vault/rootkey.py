"""A root key held in memory (from a key file or the environment), as a ``RootKey``."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from strongroom.core.errors import VaultError
from strongroom.vault.envelope import ROOT_KEY_BYTES, unwrap_key, wrap_key


@dataclass(frozen=True, slots=True)
class LocalRootKey:
    """Root key material in this process's memory; wraps with AES-256-GCM."""

    material: bytes = field(repr=False)

    def __post_init__(self) -> None:
        if len(self.material) != ROOT_KEY_BYTES:
            raise VaultError(
                f"a root key must be {ROOT_KEY_BYTES} bytes, not {len(self.material)}: "
                "check the key file or STRONGROOM_ROOT_KEY"
            )

    @property
    def key_id(self) -> str:
        # A fingerprint that names the key without revealing it: a hash of a hash, truncated.
        digest = hashlib.sha256(b"strongroom-root-key-id\x00" + self.material).hexdigest()
        return f"local:{digest[:16]}"

    def wrap(self, key: bytes, *, context: str) -> bytes:
        return wrap_key(self.material, key, context=context)

    def unwrap(self, wrapped: bytes, *, context: str) -> bytes:
        return unwrap_key(self.material, wrapped, context=context)
