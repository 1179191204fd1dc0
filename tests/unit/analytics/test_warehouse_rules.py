"""The warehouse's customer rules: lifecycle stages, age bands, regions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from strongroom.analytics.warehouse import age_band, lifecycle_stage, region
from strongroom.core.models import JsonValue

NOW = datetime(2025, 6, 1, tzinfo=UTC)


def _days(n: int) -> datetime:
    return NOW - timedelta(days=n)


@pytest.mark.parametrize(
    ("first", "last", "stage"),
    [
        (None, None, "prospect"),
        (_days(30), _days(30), "new"),
        (_days(-5), _days(-5), "new"),  # dated in the future: counts as today
        (_days(31), _days(90), "active"),
        (_days(400), _days(91), "lapsing"),
        (_days(400), _days(180), "lapsing"),
        (_days(400), _days(181), "lapsed"),
    ],
)
def test_lifecycle_stage_follows_the_documented_thresholds(
    first: datetime | None, last: datetime | None, stage: str
) -> None:
    assert lifecycle_stage(first, last, now=NOW) == stage


@pytest.mark.parametrize(
    ("age", "band"),
    [
        (17, "under 18"),
        (18, "18-24"),
        (34, "25-34"),
        (64, "55-64"),
        (65, "65+"),
        (120, "65+"),
        (121, None),
        (-1, None),
        (True, None),
        ("30", None),
        (None, None),
    ],
)
def test_age_is_banded_and_implausible_ages_are_unknown(age: JsonValue, band: str | None) -> None:
    assert age_band(age) == band


@pytest.mark.parametrize(
    ("demographics", "expected"),
    [
        ({}, None),
        ({"country": "us"}, "US"),
        ({"country": "US", "state": "ca"}, "US-CA"),
        ({"country": " ", "state": "CA"}, None),
        ({"country": 7}, None),
    ],
)
def test_region_comes_from_plain_country_and_state_only(
    demographics: dict[str, JsonValue], expected: str | None
) -> None:
    assert region(demographics) == expected
