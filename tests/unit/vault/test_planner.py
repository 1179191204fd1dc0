"""Blind-index sizing, truncation and phone normalisation."""

from __future__ import annotations

import math

import pytest

from strongroom.vault.blindindex import normalise_phone, plan_index_bits, truncate_index


@pytest.mark.parametrize("population", [16, 100, 1_000, 50_000, 1_000_000, 10**9])
def test_planned_indexes_keep_collisions_between_two_and_sqrt_population(population: int) -> None:
    bits = plan_index_bits(population)
    expected_collisions = population / 2**bits
    assert 2 <= expected_collisions <= math.sqrt(population)


def test_a_million_customers_get_eighteen_bits() -> None:
    assert plan_index_bits(1_000_000) == 18


def test_tiny_populations_get_the_minimum() -> None:
    assert plan_index_bits(1) == 1


@pytest.mark.parametrize(
    ("bits", "expected"),
    [(None, "ffffff"), (24, "ffffff"), (16, "ffff"), (12, "fff0"), (1, "80"), (300, "ffffff")],
)
def test_truncation_keeps_exactly_the_leading_bits(bits: int | None, expected: str) -> None:
    assert truncate_index(bytes([0xFF, 0xFF, 0xFF]), bits).hex() == expected


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("(415) 555-0123", "+14155550123"),
        ("+1 415 555 0123", "+14155550123"),
        ("+44 20 7946 0000", "+442079460000"),
        ("12", "12"),
        ("+12", "+12"),
    ],
)
def test_phones_are_normalised_to_e164_where_they_parse(raw: str, normalised: str) -> None:
    assert normalise_phone(raw) == normalised
