"""Legal periods counted in calendar months."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from strongroom.core.clock import add_months
from strongroom.core.privacy import due_date


def _at(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day, 9, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (_at(2026, 3, 14), _at(2026, 4, 14)),
        (_at(2026, 1, 31), _at(2026, 2, 28)),  # February has no 31st: its last day
        (_at(2028, 1, 31), _at(2028, 2, 29)),  # leap year
        (_at(2026, 12, 15), _at(2027, 1, 15)),  # over the year end
        (_at(2026, 8, 31), _at(2026, 9, 30)),
    ],
)
def test_a_request_is_due_one_calendar_month_after_receipt(
    received: datetime, due: datetime
) -> None:
    assert due_date(received) == due


@pytest.mark.parametrize(
    ("moment", "months", "expected"),
    [
        (_at(2026, 11, 29), -13, _at(2025, 10, 29)),
        (_at(2026, 3, 31), -1, _at(2026, 2, 28)),
        (_at(2026, 1, 15), -120, _at(2016, 1, 15)),
        (_at(2026, 1, 15), 0, _at(2026, 1, 15)),
    ],
)
def test_retention_cutoffs_move_back_by_calendar_months(
    moment: datetime, months: int, expected: datetime
) -> None:
    assert add_months(moment, months) == expected
