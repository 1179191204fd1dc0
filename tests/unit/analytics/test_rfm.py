"""RFM quintile scores, their tie rule, and the R rfm package's named segments."""

from __future__ import annotations

from datetime import date

import pytest

from strongroom.analytics.models import Transaction
from strongroom.analytics.rfm import SEGMENTS, quintile_scores, score_rfm, segment_for
from strongroom.core.errors import InvalidInputError

from .conftest import OBSERVATION_END


def test_ten_distinct_values_fill_each_quintile_with_two() -> None:
    assert quintile_scores([float(v) for v in range(10)]) == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]


def test_equal_values_share_the_score_of_their_lowest_rank_whatever_the_order() -> None:
    assert quintile_scores([5.0, 1.0, 5.0, 5.0, 9.0]) == [2, 1, 2, 2, 5]
    assert quintile_scores([9.0, 5.0, 5.0, 1.0, 5.0]) == [5, 2, 2, 1, 2]


def test_one_big_tie_group_takes_the_lowest_score_and_leaves_quintiles_empty() -> None:
    assert quintile_scores([1.0] * 8 + [2.0, 3.0]) == [1] * 8 + [5, 5]


@pytest.mark.parametrize(
    ("scores", "segment"),
    [
        ((5, 5, 5), "Champions"),
        ((4, 4, 3), "Potential Loyalist"),
        ((2, 3, 3), "Loyal Customers"),
        ((3, 1, 4), "Promising"),
        ((5, 1, 1), "New Customers"),
        ((1, 4, 5), "Can't Lose Them"),
        ((2, 5, 5), "At Risk"),
        ((1, 3, 3), "Need Attention"),
        ((3, 1, 1), "About To Sleep"),
        ((1, 1, 1), "Lost"),
        ((2, 1, 5), "Others"),
    ],
)
def test_scores_map_to_the_r_rfm_package_segments(
    scores: tuple[int, int, int], segment: str
) -> None:
    assert segment_for(*scores) == segment


def test_every_declared_segment_is_reachable() -> None:
    reachable = {
        segment_for(r, f, m) for r in range(1, 6) for f in range(1, 6) for m in range(1, 6)
    }
    assert reachable >= {segment.name for segment in SEGMENTS}


def test_the_most_recent_frequent_big_spender_scores_five_five_five() -> None:
    as_of = date(2024, 6, 30)
    log = [Transaction("top", date(2024, 6, d), 100.0) for d in (1, 10, 20, 29)]
    log += [Transaction(f"c{i}", date(2024, 1, i + 1), 10.0) for i in range(9)]
    top = next(s for s in score_rfm(log, as_of=as_of) if s.customer_id == "top")
    assert (top.recency_days, top.frequency, top.monetary) == (1, 4, 400.0)
    assert (top.recency_score, top.frequency_score, top.monetary_score) == (5, 5, 5)
    assert top.segment == "Champions"


def test_every_cdnow_customer_gets_scores_between_one_and_five(
    cdnow_log: list[Transaction],
) -> None:
    scores = score_rfm(cdnow_log, as_of=OBSERVATION_END)
    assert len(scores) == 2357
    assert all(
        1 <= s.recency_score <= 5 and 1 <= s.frequency_score <= 5 and 1 <= s.monetary_score <= 5
        for s in scores
    )


def test_refund_only_transactions_give_a_clear_error() -> None:
    with pytest.raises(InvalidInputError, match="refunds only"):
        score_rfm([Transaction("a", date(2024, 1, 1), -5.0)], as_of=date(2024, 1, 2))


def test_a_transaction_after_the_analysis_date_is_refused() -> None:
    with pytest.raises(InvalidInputError, match="dated after"):
        score_rfm([Transaction("a", date(2024, 1, 3), 5.0)], as_of=date(2024, 1, 2))
