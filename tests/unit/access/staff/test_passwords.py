"""The password policy and Argon2id hashing."""

from __future__ import annotations

import pytest

from strongroom.access.passwords import (
    HashParameters,
    Passwords,
    common_passwords,
    context_words,
    password_problem,
)
from strongroom.core.errors import WeakPasswordError

from .conftest import CHEAP


def test_the_shipped_list_of_common_passwords_loads_in_lower_case() -> None:
    listed = common_passwords()
    assert len(listed) > 1900
    assert {"password", "123456", "qwerty", "iloveyou", "trustno1"} <= listed
    assert all(word == word.casefold() for word in listed)


@pytest.mark.parametrize(
    ("password", "refused"),
    [
        ("short", True),
        ("elevenchars", True),
        ("x" * 129, True),
        ("aaaaaaaaaaaaaaaa", True),
        ("abababababab", True),
        ("password1234", True),
        ("Password2024!", True),
        ("iloveyou!!!!!!", True),
        ("TRUSTNO1 12345", True),
        ("monkeymonkeymonkey", True),
        ("strongroom2026!", True),
        ("Marta.Quist99", True),
        ("correct horse battery staple", False),
        ("Tr0ub4dor&3-but-longer", False),
        ("žluťoučký kůň úpěl", False),
        ("y" * 60 + "zq!7kx", False),
    ],
)
def test_the_policy_refuses_short_common_and_personal_passwords(
    password: str, refused: bool
) -> None:
    problem = password_problem(password, context=context_words("marta.quist"))
    assert (problem is not None) is refused, problem
    if problem:
        assert password not in problem


def test_a_refused_password_raises_weak_password_without_echoing_it() -> None:
    with pytest.raises(WeakPasswordError) as raised:
        Passwords(CHEAP).check("dragon2024!!", name="ann")
    assert "dragon" not in raised.value.message
    assert raised.value.code == "weak_password"


def test_a_hash_is_argon2id_and_verifies_only_the_right_password() -> None:
    passwords = Passwords(CHEAP)
    stored = passwords.hash("correct horse battery staple")
    assert stored.startswith("$argon2id$v=19$m=64,t=1,p=1$")
    assert passwords.verify(stored, "correct horse battery staple")
    assert not passwords.verify(stored, "correct horse battery stapler")
    assert not passwords.verify("not a hash", "correct horse battery staple")
    assert not passwords.verify(None, "correct horse battery staple")


def test_new_parameters_ask_for_a_rehash_of_old_hashes() -> None:
    old = Passwords(CHEAP).hash("correct horse battery staple")
    stronger = Passwords(HashParameters(time_cost=2, memory_kib=128, parallelism=1))
    assert stronger.needs_rehash(old)
    assert not stronger.needs_rehash(stronger.hash("correct horse battery staple"))


def test_the_default_parameters_are_rfc_9106s_second_recommendation() -> None:
    assert HashParameters() == HashParameters(time_cost=3, memory_kib=65536, parallelism=1)
