"""Pseudonyms: stable per customer and key version, keyed, and never revealing the id."""

from __future__ import annotations

import hashlib
import os

import pytest

from strongroom.core.errors import InvalidInputError, VaultError
from strongroom.core.models import CustomerId
from strongroom.vault.keyring import KeyKind, Keyring
from strongroom.vault.pseudonyms import Pseudonymizer, pseudonym_key_version, pseudonym_under

CUSTOMER = CustomerId("3f0c6f5e-8a61-4d0b-9a3e-2f1a8e4b7c21")
OTHER = CustomerId("9b2d4e71-0c35-4f8a-b6d2-7e1c5a9f3b08")


def _pseudonyms(*versions: bytes) -> Pseudonymizer:
    return Pseudonymizer(Keyring({KeyKind.PSEUDONYM: dict(enumerate(versions, start=1))}))


def test_the_same_customer_gets_the_same_pseudonym_every_time() -> None:
    key = os.urandom(32)
    assert _pseudonyms(key).pseudonym(CUSTOMER) == _pseudonyms(key).pseudonym(CUSTOMER)


def test_a_pseudonym_names_its_key_version_and_has_160_bits() -> None:
    made = _pseudonyms(os.urandom(32)).pseudonym(CUSTOMER)
    prefix, _, body = made.partition("_")
    assert prefix == "ps1"
    assert len(body) == 32
    assert set(body) <= set("abcdefghijklmnopqrstuvwxyz234567")
    assert pseudonym_key_version(made) == 1


def test_two_customers_get_different_pseudonyms() -> None:
    pseudonyms = _pseudonyms(os.urandom(32))
    assert pseudonyms.pseudonym(CUSTOMER) != pseudonyms.pseudonym(OTHER)


def test_another_keyring_gives_another_pseudonym() -> None:
    assert _pseudonyms(os.urandom(32)).pseudonym(CUSTOMER) != _pseudonyms(os.urandom(32)).pseudonym(
        CUSTOMER
    )


def test_a_new_key_version_gives_an_unrelated_pseudonym_and_the_old_one_can_be_recomputed() -> None:
    v1, v2 = os.urandom(32), os.urandom(32)
    before = _pseudonyms(v1).pseudonym(CUSTOMER)
    rotated = _pseudonyms(v1, v2)
    after = rotated.pseudonym(CUSTOMER)
    assert pseudonym_key_version(after) == 2
    assert after.split("_", 1)[1] != before.split("_", 1)[1]
    assert rotated.pseudonym_at(CUSTOMER, 1) == before


def test_a_pseudonym_reveals_nothing_of_the_id_and_is_no_bare_hash() -> None:
    made = _pseudonyms(os.urandom(32)).pseudonym(CUSTOMER)
    assert CUSTOMER not in made
    assert CUSTOMER.replace("-", "")[:8] not in made
    for digest in (hashlib.sha256(CUSTOMER.encode()), hashlib.sha1(CUSTOMER.encode())):
        assert digest.hexdigest()[:16] not in made
    assert pseudonym_under(b"\x00" * 32, 1, CUSTOMER) != made


@pytest.mark.parametrize(
    ("key", "version", "reason"),
    [(b"short", 1, "32 bytes, not 5"), (os.urandom(32), 0, "versions start at 1")],
)
def test_a_wrong_key_or_version_is_refused(key: bytes, version: int, reason: str) -> None:
    with pytest.raises(VaultError, match=reason):
        pseudonym_under(key, version, CUSTOMER)


@pytest.mark.parametrize(
    "value",
    ["", "ps1_", "ps0_" + "a" * 32, "ps1_" + "a" * 31, "ps1_" + "1" * 32, "PS1_" + "a" * 32],
)
def test_only_a_well_formed_pseudonym_has_a_key_version(value: str) -> None:
    with pytest.raises(InvalidInputError):
        pseudonym_key_version(value)


def test_the_pseudonymizer_never_prints_its_keys() -> None:
    assert repr(_pseudonyms(b"k" * 32)) == "Pseudonymizer()"
