"""Blind indexes: normalised, keyed, and bound to their field."""

from __future__ import annotations

import pytest

from strongroom.core.errors import VaultError
from strongroom.vault.blindindex import (
    blind_index,
    normalise_email,
    normalise_identifier,
)

KEY = bytes(range(32))


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("a@example.com", "a@example.com"),
        ("A@Example.COM", "a@example.com"),
        ("  a@example.com\n", "a@example.com"),
    ],
)
def test_emails_are_trimmed_and_lower_cased(raw: str, normalised: str) -> None:
    assert normalise_email(raw) == normalised


@pytest.mark.parametrize(
    ("kind", "raw", "normalised"),
    [
        ("email", " A@Example.com ", "a@example.com"),
        ("user_id", " User-42 ", "User-42"),
        ("anonymous_id", "AbC", "AbC"),
    ],
)
def test_identifiers_are_trimmed_and_only_emails_lower_cased(
    kind: str, raw: str, normalised: str
) -> None:
    assert normalise_identifier(kind, raw) == normalised


def _index(value: str, *, field: str = "email", key: bytes = KEY) -> bytes:
    return blind_index(key, field=field, value=normalise_identifier(field, value))


def test_the_same_email_written_differently_has_the_same_index() -> None:
    assert _index("A@Example.com ") == _index("a@example.com")


def test_the_index_is_the_full_hmac_sha256() -> None:
    assert len(_index("a@example.com")) == 32


@pytest.mark.parametrize(
    ("key", "field", "value"),
    [
        (KEY, "user_id", "a@example.com"),
        (bytes(32), "email", "a@example.com"),
        (KEY, "email", "b@example.com"),
    ],
    ids=["other-field", "other-key", "other-value"],
)
def test_indexes_differ_for_another_field_key_or_value(key: bytes, field: str, value: str) -> None:
    assert blind_index(key, field=field, value=value) != _index("a@example.com")


def test_field_and_value_cannot_be_shifted_into_each_other() -> None:
    assert blind_index(KEY, field="ab", value="c") != blind_index(KEY, field="a", value="bc")


def test_a_key_that_is_not_256_bits_is_refused() -> None:
    with pytest.raises(VaultError, match="must be 32 bytes"):
        blind_index(b"short", field="email", value="a@example.com")
