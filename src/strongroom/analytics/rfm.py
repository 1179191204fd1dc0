"""RFM: quintile scores for recency, frequency and monetary value, and named segments.

Scores run 1..5, 5 best (most recent, most frequent, highest spend). Ties: customers with equal
values always share a score, the one of the lowest rank in their tie group, so a score never
depends on input order; a large tie group can leave a quintile empty.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from strongroom.analytics.models import RfmScore, Transaction
from strongroom.analytics.summary import purchase_days
from strongroom.core.errors import InvalidInputError

QUINTILES = 5
FALLBACK_SEGMENT = "Others"


@dataclass(frozen=True, slots=True)
class Segment:
    """A named segment: inclusive score ranges for recency, frequency and monetary value."""

    name: str
    recency: tuple[int, int]
    frequency: tuple[int, int]
    monetary: tuple[int, int]


# The R rfm package (0.3.0, rfm_segment example); the first segment that matches wins.
SEGMENTS: tuple[Segment, ...] = (
    Segment("Champions", (5, 5), (5, 5), (5, 5)),
    Segment("Potential Loyalist", (3, 5), (3, 5), (2, 5)),
    Segment("Loyal Customers", (2, 4), (2, 4), (2, 4)),
    Segment("Promising", (3, 4), (1, 3), (3, 5)),
    Segment("New Customers", (4, 5), (1, 3), (1, 5)),
    Segment("Can't Lose Them", (1, 2), (3, 4), (4, 5)),
    Segment("At Risk", (1, 2), (2, 5), (4, 5)),
    Segment("Need Attention", (1, 3), (3, 5), (3, 5)),
    Segment("About To Sleep", (2, 3), (1, 3), (1, 4)),
    Segment("Lost", (1, 1), (1, 5), (1, 5)),
)


def quintile_scores(values: Sequence[float]) -> list[int]:
    """Score each value 1..5 by its rank (ties share the score of the tie group's lowest rank)."""
    order = sorted(range(len(values)), key=values.__getitem__)
    scores = [0] * len(values)
    first_rank = 0
    for position, index in enumerate(order):
        if position == 0 or values[index] != values[order[position - 1]]:
            first_rank = position
        scores[index] = first_rank * QUINTILES // len(values) + 1
    return scores


def segment_for(recency: int, frequency: int, monetary: int) -> str:
    """Name the first segment whose score ranges hold all three scores, else "Others"."""
    for segment in SEGMENTS:
        if (
            segment.recency[0] <= recency <= segment.recency[1]
            and segment.frequency[0] <= frequency <= segment.frequency[1]
            and segment.monetary[0] <= monetary <= segment.monetary[1]
        ):
            return segment.name
    return FALLBACK_SEGMENT


def score_rfm(transactions: Iterable[Transaction], *, as_of: date) -> list[RfmScore]:
    """Score every customer with a purchase on or before as_of; later dates are an error."""
    days = purchase_days(transactions, today=as_of)
    if not days:
        raise InvalidInputError("no purchases to score; the transactions are empty or refunds only")
    customers = sorted(days)
    recency = [(as_of - max(days[c])).days for c in customers]
    frequency = [len(days[c]) for c in customers]
    monetary = [round(sum(days[c].values()), 2) for c in customers]
    r_scores = quintile_scores([-float(value) for value in recency])
    f_scores = quintile_scores([float(value) for value in frequency])
    m_scores = quintile_scores(monetary)
    return [
        RfmScore(
            customer_id=customer,
            recency_days=recency[i],
            frequency=frequency[i],
            monetary=monetary[i],
            recency_score=r_scores[i],
            frequency_score=f_scores[i],
            monetary_score=m_scores[i],
            segment=segment_for(r_scores[i], f_scores[i], m_scores[i]),
        )
        for i, customer in enumerate(customers)
    ]
