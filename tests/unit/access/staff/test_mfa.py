"""TOTP codes work once; recovery codes are hashed and single use; secrets are sealed."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

import pyotp
import pytest

from strongroom.access.mfa import (
    accepted_step,
    hash_recovery_code,
    new_recovery_codes,
    new_totp_secret,
    open_totp_secret,
    seal_totp_secret,
)
from strongroom.core.errors import DecryptionError
from strongroom.vault.keyring import KeyKind, Keyring

NOW = datetime(2026, 3, 2, 9, 0, 10, tzinfo=UTC)


def test_a_totp_code_is_accepted_once_and_never_after_a_later_one() -> None:
    secret = new_totp_secret()
    code = pyotp.TOTP(secret).at(NOW)
    step = accepted_step(secret, code, now=NOW, last_step=None)
    assert step == int(NOW.timestamp()) // 30
    assert accepted_step(secret, code, now=NOW, last_step=step) is None
    later = NOW + timedelta(seconds=30)
    assert (
        accepted_step(secret, pyotp.TOTP(secret).at(later), now=later, last_step=step) == step + 1
    )


@pytest.mark.parametrize(
    ("offset", "accepted"), [(-60, False), (-30, True), (30, True), (90, False)]
)
def test_a_code_is_accepted_within_one_step_of_clock_drift(offset: int, accepted: bool) -> None:
    secret = new_totp_secret()
    code = pyotp.TOTP(secret).at(NOW + timedelta(seconds=offset))
    assert (accepted_step(secret, code, now=NOW, last_step=None) is not None) is accepted


@pytest.mark.parametrize("code", ["", "12345", "1234567", "abcdef", "12 456"])
def test_malformed_codes_are_refused(code: str) -> None:
    assert accepted_step(new_totp_secret(), code, now=NOW, last_step=None) is None


def test_the_totp_secret_is_sealed_and_bound_to_its_person() -> None:
    keys = Keyring({KeyKind.TOKEN: {1: os.urandom(32)}})
    secret = new_totp_secret()
    sealed = seal_totp_secret(keys, secret, principal_id="p1")
    assert secret.encode() not in sealed
    assert open_totp_secret(keys, sealed, principal_id="p1") == secret
    with pytest.raises(DecryptionError):
        open_totp_secret(keys, sealed, principal_id="p2")


def test_recovery_codes_are_ten_distinct_and_hash_the_same_however_typed() -> None:
    codes = new_recovery_codes()
    assert len(set(codes)) == 10
    code = codes[0]
    typed = code.lower().replace("-", " ")
    assert hash_recovery_code(typed, principal_id="p1") == hash_recovery_code(
        code, principal_id="p1"
    )
    assert hash_recovery_code(code, principal_id="p1") != hash_recovery_code(
        code, principal_id="p2"
    )
