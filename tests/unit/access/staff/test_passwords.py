"""The password policy and Argon2id hashing."""

from __future__ import annotations

import pytest
from zxcvbn.frequency_lists import FREQUENCY_LISTS

from strongroom.access.passwords import (
    MIN_STRENGTH_SCORE,
    HashParameters,
    Passwords,
    common_passwords,
    context_words,
    guessability_problem,
    password_problem,
)
from strongroom.core.errors import WeakPasswordError

from .conftest import CHEAP


def test_the_shipped_list_is_zxcvbns_10000_most_common_passwords_in_lower_case() -> None:
    listed = common_passwords()
    assert len(listed) == 10_000
    assert {"password", "123456", "qwerty", "iloveyou", "trustno1", "p@ssw0rd"} <= listed
    assert all(word == word.casefold() for word in listed)
    # What tools/common_passwords.py writes: the head of zxcvbn's ranked list, nothing else.
    assert listed == {word.casefold() for word in FREQUENCY_LISTS["passwords"][:10_000]}


@pytest.mark.parametrize("listed", ["1qaz2wsx3edc", "QWERTY123456", "leavemealone", "sonyericsson"])
def test_a_listed_password_is_refused_as_a_common_one_whatever_its_case(listed: str) -> None:
    problem = password_problem(listed, context=context_words("bob stone"))
    assert problem is not None
    assert "is a common one" in problem


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


@pytest.mark.parametrize("password", ["P@ssw0rd123", "qwertyuiop1", "Pa$$w0rd2025x"])
def test_zxcvbn_scores_l33t_and_keyboard_variants_of_breached_passwords_too_low(
    password: str,
) -> None:
    problem = guessability_problem(password)
    assert problem is not None
    assert problem.startswith("the password is too easy to guess")
    assert password.casefold() not in problem.casefold()


@pytest.mark.parametrize(
    "password", ["Pa$$w0rd2025x", "zxcvbnm,./asdf", "Sup3rm@n1234", "iloveyou4ever"]
)
def test_breached_looking_passwords_that_no_list_holds_are_refused_and_never_echoed(
    password: str,
) -> None:
    assert password.casefold() not in common_passwords()
    with pytest.raises(WeakPasswordError) as raised:
        Passwords(CHEAP).check(password, name="bob stone")
    message = raised.value.message
    assert message.startswith("the password is too easy to guess")
    assert password.casefold() not in message.casefold()
    assert len(message.split(". ", 1)[1]) > 10  # zxcvbn's warning or advice says why


@pytest.mark.parametrize("password", ["2024MartaQuist", "1987 Marta Quist", "#1 marta quist"])
def test_a_password_built_from_the_persons_own_name_is_refused_for_them_only(
    password: str,
) -> None:
    # No list holds these: zxcvbn refuses them because it is given the person's name.
    with pytest.raises(WeakPasswordError, match="too easy to guess") as raised:
        Passwords(CHEAP).check(password, name="Marta Quist")
    assert "marta" not in raised.value.message.casefold()
    Passwords(CHEAP).check(password, name="Bob Stone")  # another person may choose it


def test_the_persons_name_run_together_with_digits_added_is_refused_as_theirs() -> None:
    with pytest.raises(WeakPasswordError, match="your name"):
        Passwords(CHEAP).check("MartaQuist1987!", name="Marta Quist")


@pytest.mark.parametrize(
    "password", ["quartz lantern oboe thistle", "vK7#pL2m!xQ9wR4t", "Hollow-Pine-Ferret-83-Mosaic"]
)
def test_a_strong_passphrase_is_accepted(password: str) -> None:
    Passwords(CHEAP).check(password, name="marta.quist")
    assert guessability_problem(password, context=context_words("marta.quist")) is None


def test_the_strength_threshold_is_zxcvbns_safely_unguessable_score() -> None:
    assert MIN_STRENGTH_SCORE == 3
