"""Staff passwords: the policy (ASVS V6.2) and Argon2id hashing with explicit parameters.

The policy asks for length, not composition: 12 to 128 characters, any characters at all, and
not a password attackers try first: the shipped list of the 10,000 most common passwords, the
person's own name, the product's name, any of those with digits or symbols appended, or a few
characters repeated. What passes those is scored by zxcvbn (Dropbox's estimator: dictionaries of
leaked passwords, names and words, keyboard walks, l33t substitutions, dates, and the person's
name), and a breached-looking password, scored below ``MIN_STRENGTH_SCORE``, is refused too.
"""

from __future__ import annotations

import contextlib
import re
import secrets
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

from strongroom.core.errors import WeakPasswordError

MIN_LENGTH = 12
MAX_LENGTH = 128
MIN_DISTINCT_CHARACTERS = 5
PRODUCT_WORDS = ("strongroom",)
# zxcvbn's 0-4 scale; 3 is "safely unguessable" (about 10^8 guesses or more), enough with Argon2id
# and throttled logins; 2 and below fall to an offline guesser working from breach dumps.
MIN_STRENGTH_SCORE = 3
_DATA_FILE = "data/common-passwords.txt"
_APPENDED = re.compile(r"[\W\d_]+$")  # digits, symbols and spaces at the end
_NAME_PARTS = re.compile(r"[\W_]+")
# zxcvbn keeps the person's words in a module-level dictionary while it scores: one at a time.
_ESTIMATOR_LOCK = threading.Lock()


@dataclass(frozen=True, slots=True)
class HashParameters:
    """Argon2id cost: RFC 9106's second recommended setting (64 MiB, 3 passes, 1 lane)."""

    time_cost: int = 3
    memory_kib: int = 64 * 1024
    parallelism: int = 1


@cache
def common_passwords() -> frozenset[str]:
    """The shipped list of common passwords, lower case (see access/data/README.md)."""
    text = files("strongroom.access").joinpath(_DATA_FILE).read_text(encoding="utf-8")
    return frozenset(line.strip().casefold() for line in text.splitlines() if line.strip())


def context_words(name: str) -> set[str]:
    """Words an attacker tries for this person: their name, its parts, the parts run together
    ("martaquist"), the product's name."""
    parts = [part for part in _NAME_PARTS.split(name.casefold()) if part]
    words = {name.casefold(), "".join(parts), *PRODUCT_WORDS}
    words.update(part for part in parts if len(part) >= 4)
    return words - {""}


def password_problem(password: str, *, context: Iterable[str] = ()) -> str | None:
    """Why ``password`` is refused, or None; the reason never repeats the password."""
    if len(password) < MIN_LENGTH:
        return f"a password needs at least {MIN_LENGTH} characters; a passphrase of words is fine"
    if len(password) > MAX_LENGTH:
        return f"a password may have at most {MAX_LENGTH} characters"
    if len(set(password)) < MIN_DISTINCT_CHARACTERS:
        return "the password repeats too few characters; choose a longer, less regular one"
    guessable = common_passwords() | {word.casefold() for word in context}
    if any(base in guessable or _repeats_a_word(base, guessable) for base in _bases(password)):
        return (
            "the password is a common one, or your name or the product's, perhaps with digits or "
            "symbols added; attackers try those first: choose another"
        )
    return guessability_problem(password, context=context)


def guessability_problem(password: str, *, context: Iterable[str] = ()) -> str | None:
    """zxcvbn's verdict, with ``context`` as the person's words: why the password looks like a
    breached one (scored below MIN_STRENGTH_SCORE), in zxcvbn's fixed words, or None."""
    estimate = _estimate(password, sorted({word.casefold() for word in context}))
    if estimate["score"] >= MIN_STRENGTH_SCORE:
        return None
    feedback = estimate["feedback"]
    warning = str(feedback["warning"]).strip() or (
        "It is built the way breached passwords are: from words, names (yours too), dates, "
        "keyboard rows or letters swapped for look-alike symbols."
    )
    advice = " ".join(str(s) for s in feedback["suggestions"]) or "Add another word or two."
    return f"the password is too easy to guess. {warning} {advice}"


def _estimate(password: str, user_inputs: list[str]) -> dict[str, Any]:
    # Imported here: zxcvbn loads its dictionaries (~30 ms), needed only to set a password.
    from zxcvbn import zxcvbn  # type: ignore[import-untyped]  # noqa: PLC0415 - no type hints

    with _ESTIMATOR_LOCK:
        result: dict[str, Any] = zxcvbn(password, user_inputs=user_inputs, max_length=MAX_LENGTH)
    return result


def _bases(password: str) -> list[str]:
    """The password, and each of its beginnings followed only by digits, symbols or spaces."""
    folded = password.casefold()
    tail = _APPENDED.search(folded)
    if tail is None:
        return [folded]
    return [folded, *(folded[:cut] for cut in range(tail.start(), len(folded)) if cut)]


def _repeats_a_word(core: str, words: frozenset[str] | set[str]) -> bool:
    """``core`` is one of ``words`` said twice or more, e.g. 'monkeymonkey'."""
    for size in range(1, len(core) // 2 + 1):
        if len(core) % size == 0 and core[:size] * (len(core) // size) == core:
            return core[:size] in words
    return False


class Passwords:
    """Checks, hashes and verifies staff passwords with Argon2id."""

    def __init__(self, parameters: HashParameters | None = None) -> None:
        self.parameters = parameters or HashParameters()
        self._hasher = PasswordHasher(
            time_cost=self.parameters.time_cost,
            memory_cost=self.parameters.memory_kib,
            parallelism=self.parameters.parallelism,
            hash_len=32,
            salt_len=16,
            type=Type.ID,
        )
        self._dummy: str | None = None

    def __repr__(self) -> str:
        return f"Passwords({self.parameters})"

    def check(self, password: str, *, name: str) -> None:
        """Raise WeakPasswordError when the policy refuses ``password`` for person ``name``."""
        problem = password_problem(password, context=context_words(name))
        if problem is not None:
            raise WeakPasswordError(problem)

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, stored: str | None, password: str) -> bool:
        """Whether ``password`` matches; with no stored hash, spends the same time and fails."""
        if len(password) > MAX_LENGTH:
            return False  # never spend Argon2 time on an oversized guess
        if stored is None:
            self._spend_time(password)
            return False
        try:
            return self._hasher.verify(stored, password)
        except (VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, stored: str) -> bool:
        """True when ``stored`` was made with other parameters: rehash it at the next login."""
        try:
            return self._hasher.check_needs_rehash(stored)
        except InvalidHashError:
            return True

    def _spend_time(self, password: str) -> None:
        # Unknown people cost as much as known ones, so timing does not tell who has an account.
        if self._dummy is None:
            self._dummy = self._hasher.hash(secrets.token_urlsafe(16))
        with contextlib.suppress(VerificationError, InvalidHashError):
            self._hasher.verify(self._dummy, password)
