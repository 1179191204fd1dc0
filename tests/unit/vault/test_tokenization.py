"""The card vault on the in-memory store: tokenise, find again, reveal, and refuse tampering."""

from __future__ import annotations

import os
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from strongroom.adapters.memory import MemoryUnitOfWorkFactory
from strongroom.core.errors import DecryptionError, VaultError
from strongroom.core.models import CustomerId, StoredCard
from strongroom.vault.cards import CardNumber, is_card_token, parse_card_number
from strongroom.vault.keyring import KeyKind, Keyring
from strongroom.vault.tokenization import CardToken, CardVault

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
ANN, BOB = CustomerId("c-ann"), CustomerId("c-bob")
VISA = parse_card_number("4111 1111 1111 1111")
MASTERCARD = parse_card_number("5555555555554444")


def _keyring(*versions: bytes) -> Keyring:
    return Keyring({KeyKind.TOKEN: dict(enumerate(versions, start=1))})


def _tokenize(
    factory: MemoryUnitOfWorkFactory, vault: CardVault, card: CardNumber, who: CustomerId | None
) -> CardToken:
    with factory() as uow:
        token = vault.tokenize(uow, card=card, customer_id=who, now=NOW)
        uow.commit()
    return token


def _stored(factory: MemoryUnitOfWorkFactory, token: str) -> StoredCard:
    with factory() as uow:
        stored = uow.cards.get(token)
    assert stored is not None
    return stored


def test_a_card_becomes_a_random_token_with_its_last_four_digits_and_brand() -> None:
    factory, vault = MemoryUnitOfWorkFactory(), CardVault(_keyring(os.urandom(32)))
    token = _tokenize(factory, vault, VISA, ANN)
    assert is_card_token(token.token)
    assert (token.last4, token.brand) == ("1111", "visa")
    stored = _stored(factory, token.token)
    assert (stored.key_version, stored.last4, stored.brand, stored.customer_id) == (
        1,
        "1111",
        "visa",
        ANN,
    )
    assert VISA.digits.encode() not in stored.ciphertext
    assert vault.reveal(stored) == VISA


def test_the_same_card_of_the_same_customer_keeps_its_token() -> None:
    factory, vault = MemoryUnitOfWorkFactory(), CardVault(_keyring(os.urandom(32)))
    first = _tokenize(factory, vault, VISA, ANN)
    again = _tokenize(factory, vault, parse_card_number("4111-1111-1111-1111"), ANN)
    other_card = _tokenize(factory, vault, MASTERCARD, ANN)
    assert again == first
    assert other_card.token != first.token


def test_the_same_card_of_two_customers_has_two_unlinkable_tokens() -> None:
    factory, vault = MemoryUnitOfWorkFactory(), CardVault(_keyring(os.urandom(32)))
    ann, bob = _tokenize(factory, vault, VISA, ANN), _tokenize(factory, vault, VISA, BOB)
    assert ann.token != bob.token
    assert _stored(factory, ann.token).fingerprint != _stored(factory, bob.token).fingerprint


def test_a_card_of_no_customer_is_found_again_among_cards_of_no_customer() -> None:
    factory, vault = MemoryUnitOfWorkFactory(), CardVault(_keyring(os.urandom(32)))
    first = _tokenize(factory, vault, VISA, None)
    assert _tokenize(factory, vault, VISA, None) == first
    assert _tokenize(factory, vault, VISA, ANN).token != first.token


def test_a_card_tokenised_before_a_rotation_keeps_its_token_and_new_cards_use_the_new_key() -> None:
    factory, v1, v2 = MemoryUnitOfWorkFactory(), os.urandom(32), os.urandom(32)
    before = _tokenize(factory, CardVault(_keyring(v1)), VISA, ANN)
    rotated = CardVault(_keyring(v1, v2))
    assert _tokenize(factory, rotated, VISA, ANN) == before
    new = _tokenize(factory, rotated, MASTERCARD, ANN)
    assert _stored(factory, new.token).key_version == 2
    assert rotated.reveal(_stored(factory, before.token)) == VISA
    assert rotated.reveal(_stored(factory, new.token)) == MASTERCARD
    with factory() as uow:
        assert uow.cards.count_by_key_version() == {1: 1, 2: 1}


def test_the_fingerprint_is_keyed_so_another_keyring_cannot_recognise_the_card() -> None:
    factory = MemoryUnitOfWorkFactory()
    mine = _tokenize(factory, CardVault(_keyring(os.urandom(32))), VISA, ANN)
    theirs = _tokenize(factory, CardVault(_keyring(os.urandom(32))), VISA, ANN)
    assert theirs.token != mine.token
    assert _stored(factory, mine.token).fingerprint != _stored(factory, theirs.token).fingerprint


def test_a_ciphertext_moved_to_another_token_does_not_decrypt() -> None:
    factory, vault = MemoryUnitOfWorkFactory(), CardVault(_keyring(os.urandom(32)))
    visa, mastercard = (
        _tokenize(factory, vault, VISA, ANN),
        _tokenize(factory, vault, MASTERCARD, ANN),
    )
    moved = replace(
        _stored(factory, mastercard.token), ciphertext=_stored(factory, visa.token).ciphertext
    )
    with pytest.raises(DecryptionError, match="does not authenticate"):
        vault.reveal(moved)


def test_a_card_written_under_a_key_version_the_keyring_lacks_is_refused() -> None:
    factory = MemoryUnitOfWorkFactory()
    token = _tokenize(factory, CardVault(_keyring(os.urandom(32), os.urandom(32))), VISA, ANN)
    with pytest.raises(VaultError, match="no token key version 2"):
        CardVault(_keyring(os.urandom(32))).reveal(_stored(factory, token.token))


def test_the_vault_never_prints_its_keys() -> None:
    assert repr(CardVault(_keyring(b"k" * 32))) == "CardVault()"
