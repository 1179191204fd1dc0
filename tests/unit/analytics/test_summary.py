"""The calibration summary built from a raw log: CDNOW's published file, and the edge cases."""

from __future__ import annotations

from datetime import date

import pytest

from strongroom.analytics.models import CustomerSummary, Transaction
from strongroom.analytics.summary import calibration_summary, purchase_days
from strongroom.core.errors import InvalidInputError

from .conftest import CALIBRATION_END, OBSERVATION_END

END = date(2024, 1, 29)


def _rounded(summaries: list[CustomerSummary]) -> dict[str, tuple[int, float, float]]:
    return {s.customer_id: (s.frequency, round(s.recency, 2), round(s.age, 2)) for s in summaries}


def test_the_summary_of_the_raw_log_equals_the_published_summary(
    cdnow_log: list[Transaction], cdnow_summary: list[CustomerSummary]
) -> None:
    built = calibration_summary(cdnow_log, period_end=CALIBRATION_END, today=OBSERVATION_END)
    assert len(built) == 2357
    assert _rounded(built) == _rounded(cdnow_summary)


def test_the_mean_repeat_spend_of_the_raw_log_equals_the_published_zbar(
    cdnow_log: list[Transaction], cdnow_spend: list[CustomerSummary]
) -> None:
    built = calibration_summary(cdnow_log, period_end=CALIBRATION_END, today=OBSERVATION_END)
    mine = {s.customer_id: s.monetary for s in built}
    published = {s.customer_id: s.monetary for s in cdnow_spend}
    # The published zbar is rounded to cents (half-cents either way), so compare to half a cent.
    assert mine == pytest.approx(published, abs=0.005 + 1e-9)


def test_lines_on_one_day_are_one_purchase_and_the_first_is_not_a_repeat() -> None:
    log = [
        Transaction("a", date(2024, 1, 1), 10.0),
        Transaction("a", date(2024, 1, 1), 5.0),
        Transaction("a", date(2024, 1, 15), 7.0),
        Transaction("a", date(2024, 1, 15), 3.0),
    ]
    [summary] = calibration_summary(log, period_end=END, today=END)
    assert summary == CustomerSummary("a", 1, 2.0, 4.0, 10.0)


def test_a_customer_with_one_purchase_has_no_repeats_and_zero_recency() -> None:
    [summary] = calibration_summary(
        [Transaction("a", date(2024, 1, 8), 9.0)], period_end=END, today=END
    )
    assert summary == CustomerSummary("a", 0, 0.0, 3.0, 0.0)


def test_a_zero_value_order_is_a_purchase() -> None:
    log = [Transaction("a", date(2024, 1, 1), 10.0), Transaction("a", date(2024, 1, 8), 0.0)]
    [summary] = calibration_summary(log, period_end=END, today=END)
    assert (summary.frequency, summary.monetary) == (1, 0.0)


def test_a_refund_nets_against_its_day_and_a_refund_only_day_is_not_a_purchase() -> None:
    log = [
        Transaction("a", date(2024, 1, 1), 30.0),
        Transaction("a", date(2024, 1, 1), -10.0),
        Transaction("a", date(2024, 1, 8), -20.0),
        Transaction("b", date(2024, 1, 8), -5.0),
    ]
    assert purchase_days(log, today=END) == {"a": {date(2024, 1, 1): 20.0}}


def test_purchases_after_the_period_are_the_holdout_and_left_out() -> None:
    log = [Transaction("a", date(2024, 1, 1), 1.0), Transaction("b", date(2024, 2, 1), 1.0)]
    summaries = calibration_summary(log, period_end=END, today=date(2024, 3, 1))
    assert [s.customer_id for s in summaries] == ["a"]


def test_a_transaction_dated_in_the_future_is_refused() -> None:
    log = [Transaction("a", date(2024, 2, 1), 1.0)]
    with pytest.raises(InvalidInputError, match="dated after 2024-01-29"):
        calibration_summary(log, period_end=END, today=END)


def test_a_non_finite_amount_is_refused() -> None:
    with pytest.raises(InvalidInputError, match="finite"):
        purchase_days([Transaction("a", date(2024, 1, 1), float("nan"))], today=END)
