"""The card vault: card numbers swapped for random tokens, the numbers kept encrypted apart.

Only the token, the last four digits and the brand leave the vault. The number is encrypted with
AES-256-GCM under the keyring's token key (current version, recorded with the row), bound to its
token and field, in a table of its own (``card_vault``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from cryptography.hazmat.primitives import hashes, hmac
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from strongroom.core.errors import DecryptionError, VaultError
from strongroom.core.models import CustomerId, StoredCard
from strongroom.core.ports import UnitOfWork
from strongroom.vault.cards import CardNumber, new_card_token
from strongroom.vault.envelope import ROOT_KEY_BYTES, decrypt_field, encrypt_field, length_prefixed
from strongroom.vault.keyring import KeyKind

CARD_FIELD = "card_number"
_FINGERPRINT_INFO = b"strongroom:card-fingerprint:v1"


class TokenKeys(Protocol):
    """What the card vault needs of a keyring (a ``Keyring`` or one that follows rotations)."""

    def versions(self, kind: KeyKind) -> list[int]: ...

    def current(self, kind: KeyKind) -> tuple[int, bytes]: ...

    def key(self, kind: KeyKind, version: int) -> bytes: ...


@dataclass(frozen=True, slots=True)
class CardToken:
    """What may be kept with an order: the token, the last four digits, the brand."""

    token: str
    last4: str
    brand: str


class CardVault:
    """Tokenises card numbers into a unit of work's card table, and reveals them again."""

    def __init__(self, keys: TokenKeys) -> None:
        self._keys = keys

    def __repr__(self) -> str:
        return "CardVault()"

    def tokenize(
        self, uow: UnitOfWork, *, card: CardNumber, customer_id: CustomerId | None, now: datetime
    ) -> CardToken:
        """The token of ``card`` for this customer: the one it already has, else a new one."""
        existing = uow.cards.find_by_fingerprint(customer_id, self._fingerprints(card, customer_id))
        if existing is not None:
            return CardToken(existing.token, existing.last4, existing.brand)
        version, key = self._keys.current(KeyKind.TOKEN)
        token = new_card_token()
        ciphertext = encrypt_field(
            key, card.digits.encode("ascii"), record_id=token, field=CARD_FIELD, key_version=version
        )
        uow.cards.add(
            [
                StoredCard(
                    token=token,
                    ciphertext=ciphertext,
                    key_version=version,
                    fingerprint=_fingerprint(key, card, customer_id),
                    last4=card.last4,
                    brand=card.brand,
                    created_at=now,
                    customer_id=customer_id,
                )
            ]
        )
        return CardToken(token, card.last4, card.brand)

    def reveal(self, stored: StoredCard) -> CardNumber:
        """Decrypt a stored card; refuses a ciphertext moved from another token or altered."""
        key = self._keys.key(KeyKind.TOKEN, stored.key_version)
        plaintext = decrypt_field(
            key,
            stored.ciphertext,
            record_id=stored.token,
            field=CARD_FIELD,
            key_version=stored.key_version,
        )
        try:
            return CardNumber(plaintext.decode("ascii"))
        except (UnicodeDecodeError, ValueError):
            # It authenticated, so only a bug in whatever encrypted it can get here.
            raise DecryptionError(
                f"the card behind token {stored.token} decrypted to something that is not a card "
                "number: it was not written by CardVault.tokenize; report this as a bug"
            ) from None

    def _fingerprints(self, card: CardNumber, customer_id: CustomerId | None) -> list[bytes]:
        # Every token key version, so a card tokenised before a rotation is still found.
        return [
            _fingerprint(self._keys.key(KeyKind.TOKEN, version), card, customer_id)
            for version in reversed(self._keys.versions(KeyKind.TOKEN))
        ]


def _fingerprint(token_key: bytes, card: CardNumber, customer_id: CustomerId | None) -> bytes:
    """A keyed HMAC-SHA256 of the card number and its customer, to find an existing token.

    Keyed, never a bare hash: card numbers are 12 to 19 digits, start with a handful of known
    issuer prefixes and end in a check digit, so there are few enough of them that anyone holding
    an unkeyed hash could find the number behind it by trying them all. Without the token key a
    fingerprint gives no way to test a guess. The customer id is part of the input, so the same
    card held by two customers has two unrelated fingerprints and a stolen table does not link
    them. The HMAC key is derived from the token key (HKDF) so no key serves two algorithms.
    """
    if len(token_key) != ROOT_KEY_BYTES:
        raise VaultError(
            f"a token key must be {ROOT_KEY_BYTES} bytes, not {len(token_key)}: "
            "pass the token key from the keyring"
        )
    derive = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_FINGERPRINT_INFO)
    mac = hmac.HMAC(derive.derive(token_key), hashes.SHA256())
    mac.update(length_prefixed((customer_id or "").encode("utf-8"), card.digits.encode("ascii")))
    return mac.finalize()
