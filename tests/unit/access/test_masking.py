"""Masks keep a value recognisable to its owner without disclosing it."""

from __future__ import annotations

import pytest

from strongroom.access.masking import mask_value
from strongroom.core.models import JsonValue


@pytest.mark.parametrize(
    ("field", "value", "masked"),
    [
        ("email", "jane.doe@example.com", "j***@example.com"),
        ("email", "not-an-email", "***"),
        ("email", "@example.com", "***"),
        ("phone", "+1 (555) 010-2345", "***45"),
        ("phone", "123", "***"),
        ("first_name", "Jane", "J***"),
        ("name", "Jane Q Doe", "J*** Q*** D***"),
        ("name", "   ", "***"),
        ("address", {"city": "Paris"}, "***"),
        ("birthday", "1990-01-01", "***"),
        ("favouriteTea", "oolong", "***"),
        ("email", None, None),
    ],
)
def test_masks(field: str, value: JsonValue, masked: JsonValue) -> None:
    assert mask_value(field, value) == masked


def test_a_mask_never_contains_the_local_part_of_an_email() -> None:
    assert "doe" not in str(mask_value("email", "jane.doe@example.com"))
