"""Traits are classified by the declared schema; what cannot be classified is kept encrypted."""

from __future__ import annotations

from typing import Any

import pytest

from strongroom.collect.classification import classify_traits
from strongroom.core.schema import CUSTOMER_FIELDS, DataClass, Protection


@pytest.mark.parametrize(
    ("trait", "value", "stored_as"),
    [
        ("email", "a@b.co", "email"),
        ("phone", "+44 20 7946 0000", "phone"),
        ("firstName", "Ann", "first_name"),
        ("last_name", "Lee", "last_name"),
        ("address", {"city": "Oslo"}, "address"),
        ("birthday", "1990-01-01", "birthday"),
    ],
)
def test_pii_traits_are_encrypted(trait: str, value: Any, stored_as: str) -> None:
    classified = classify_traits({trait: value})
    assert stored_as in classified.encrypted
    assert not classified.plain
    assert DataClass.PII in classified.data_classes


@pytest.mark.parametrize(
    ("trait", "value", "stored_as", "kept"),
    [
        ("age", 41, "age", 41),
        ("age", "41", "age", 41),
        ("gender", "female", "gender", "female"),
        ("incomeBand", "50-100k", "income_band", "50-100k"),
        ("occupation", " Nurse ", "occupation", "Nurse"),
    ],
)
def test_demographic_traits_stay_plain(trait: str, value: Any, stored_as: str, kept: Any) -> None:
    assert classify_traits({trait: value}).plain == {stored_as: kept}


@pytest.mark.parametrize(("trait", "value"), [("age", "forty"), ("age", True), ("age", 400)])
def test_a_demographic_value_we_cannot_read_is_treated_as_sensitive(trait: str, value: Any) -> None:
    classified = classify_traits({trait: value})
    assert classified.extras == {trait: value}
    assert DataClass.UNCLASSIFIED in classified.data_classes


def test_unknown_traits_are_judged_and_kept_encrypted_as_extras() -> None:
    sent = {
        "favouriteTea": "oolong",
        "note": "likes green tea",
        "email": None,
        "ssn": "536-90-4399",
    }
    classified = classify_traits(sent)
    assert classified.extras == {k: v for k, v in sent.items() if v is not None}
    classes = {seen.key.name: seen.key.data_class for seen in classified.fields}
    assert classes == {
        "favouriteTea": DataClass.BEHAVIORAL,
        "note": DataClass.UNCLASSIFIED,
        "ssn": DataClass.PII,
    }
    assert {seen.key.storage.value for seen in classified.fields} == {"customer extras"}


def test_each_data_class_decides_the_protection() -> None:
    for spec in CUSTOMER_FIELDS:
        expected = Protection.ENCRYPTED if spec.data_class is DataClass.PII else Protection.PLAIN
        assert spec.protection is expected
