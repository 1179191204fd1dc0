"""Bearer secrets are random, prefixed and stored only as hashes."""

from __future__ import annotations

from strongroom.access.credentials import display_prefix, hash_secret, new_secret


def test_secrets_are_unique_and_carry_their_prefix() -> None:
    secrets = {new_secret("srt") for _ in range(100)}
    assert len(secrets) == 100
    assert all(secret.startswith("srt_") and len(secret) >= 40 for secret in secrets)


def test_the_stored_hash_is_stable_and_does_not_contain_the_secret() -> None:
    secret = new_secret("srk")
    assert hash_secret(secret) == hash_secret(secret)
    assert secret.encode() not in hash_secret(secret)
    assert hash_secret(secret) != hash_secret(new_secret("srk"))


def test_the_display_prefix_is_short() -> None:
    assert display_prefix("srt_abcdefghijkl") == "srt_abcd"
