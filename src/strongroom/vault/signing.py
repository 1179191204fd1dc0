"""The keyring's audit-signing key as Ed25519 keys: what signs audit checkpoints.

The private key never leaves the vault's memory; capabilities get a signer for the current
version, and the public halves of every version to check signatures against.
"""

from __future__ import annotations

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from strongroom.core.errors import VaultError
from strongroom.vault.envelope import ROOT_KEY_BYTES
from strongroom.vault.keyring import KeyKind
from strongroom.vault.receipts import SigningKeys


def audit_signer(keys: SigningKeys) -> tuple[int, Ed25519PrivateKey]:
    """The current audit-signing key version and its Ed25519 private key."""
    version, seed = keys.current(KeyKind.AUDIT_SIGNING)
    return version, _private_key(seed, version)


def audit_public_key(keys: SigningKeys, version: int) -> bytes | None:
    """The raw 32-byte public key of an audit-signing version; None if the keyring lacks it."""
    if version not in keys.versions(KeyKind.AUDIT_SIGNING):
        return None
    private = _private_key(keys.key(KeyKind.AUDIT_SIGNING, version), version)
    return raw_public_key(private)


def raw_public_key(private: Ed25519PrivateKey) -> bytes:
    """The 32 raw bytes of the public half of ``private``."""
    return private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def _private_key(seed: bytes, version: int) -> Ed25519PrivateKey:
    if len(seed) != ROOT_KEY_BYTES:
        raise VaultError(
            f"audit-signing key version {version} is {len(seed)} bytes, not {ROOT_KEY_BYTES}: "
            "the data key table is damaged; restore it from a backup"
        )
    return Ed25519PrivateKey.from_private_bytes(seed)
