"""Cohort retention by first-purchase month, Mixpanel-style."""

from __future__ import annotations

from datetime import date

import pytest

from strongroom.analytics.cohorts import cohort_retention
from strongroom.analytics.models import CohortRetention, Transaction
from strongroom.core.errors import InvalidInputError

from .conftest import OBSERVATION_END


def test_retention_is_the_share_of_the_cohort_active_in_each_later_month() -> None:
    log = [
        Transaction("a", date(2024, 1, 5), 10.0),
        Transaction("a", date(2024, 3, 1), 10.0),
        Transaction("b", date(2024, 1, 20), 10.0),
        Transaction("b", date(2024, 2, 2), 10.0),
        Transaction("b", date(2024, 3, 9), 10.0),
        Transaction("c", date(2024, 2, 14), 10.0),
    ]
    assert cohort_retention(log, through=date(2024, 3, 31)) == [
        CohortRetention("2024-01", 2, (1.0, 0.5, 1.0)),
        CohortRetention("2024-02", 1, (1.0, 0.0)),
    ]


def test_a_refund_month_does_not_count_as_active() -> None:
    log = [Transaction("a", date(2024, 1, 5), 10.0), Transaction("a", date(2024, 2, 5), -10.0)]
    assert cohort_retention(log, through=date(2024, 2, 29)) == [
        CohortRetention("2024-01", 1, (1.0, 0.0))
    ]


def test_cdnow_has_three_first_quarter_cohorts_holding_every_customer(
    cdnow_log: list[Transaction],
) -> None:
    table = cohort_retention(cdnow_log, through=OBSERVATION_END)
    assert [row.cohort for row in table] == ["1997-01", "1997-02", "1997-03"]
    assert sum(row.size for row in table) == 2357
    assert [len(row.retention) for row in table] == [18, 17, 16]
    assert all(row.retention[0] == 1.0 for row in table)
    assert all(0.0 <= share <= 1.0 for row in table for share in row.retention)


def test_no_purchases_give_an_empty_table() -> None:
    assert cohort_retention([], through=date(2024, 1, 1)) == []


def test_a_purchase_after_the_end_of_the_table_is_refused() -> None:
    with pytest.raises(InvalidInputError, match="dated after"):
        cohort_retention([Transaction("a", date(2024, 2, 1), 1.0)], through=date(2024, 1, 31))
