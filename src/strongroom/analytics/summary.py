"""From a raw transaction log to purchase days and per-customer calibration summaries.

A purchase is a customer-day, not a line: all lines of one customer on one day are netted into
one value. A day whose net value is zero (free or promotional items) is a purchase; a day whose net
value is negative (a refund with nothing bought that day) is not a purchase and is left out.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date

from strongroom.analytics.models import CustomerSummary, Transaction
from strongroom.core.errors import InvalidInputError

DAYS_PER_WEEK = 7.0


def purchase_days(
    transactions: Iterable[Transaction], *, today: date
) -> dict[str, dict[date, float]]:
    """Net each customer's lines per day and keep the days that are purchases (net value >= 0)."""
    days: dict[str, dict[date, float]] = defaultdict(lambda: defaultdict(float))
    future = 0
    for line in transactions:
        if not math.isfinite(line.amount):
            raise InvalidInputError("a transaction amount is not a finite number; fix the source")
        if line.day > today:
            future += 1
        days[line.customer_id][line.day] += line.amount
    if future:
        raise InvalidInputError(
            f"{future} transaction(s) are dated after {today.isoformat()}; "
            "correct their dates or the clock before analysing"
        )
    return {
        customer: {day: value for day, value in sorted(by_day.items()) if value >= 0}
        for customer, by_day in days.items()
        if any(value >= 0 for value in by_day.values())
    }


def calibration_summary(
    transactions: Iterable[Transaction], *, period_end: date, today: date
) -> list[CustomerSummary]:
    """Summarise purchases up to period_end (inclusive) into frequency, recency, age, monetary."""
    if period_end > today:
        raise InvalidInputError("the calibration period cannot end after today")
    summaries = []
    for customer, by_day in purchase_days(transactions, today=today).items():
        days = [day for day in by_day if day <= period_end]
        if not days:
            continue  # the customer's first purchase is after the period: not in this cohort
        first, last = days[0], days[-1]
        repeats = [by_day[day] for day in days[1:]]
        summaries.append(
            CustomerSummary(
                customer_id=customer,
                frequency=len(repeats),
                recency=(last - first).days / DAYS_PER_WEEK,
                age=(period_end - first).days / DAYS_PER_WEEK,
                monetary=sum(repeats) / len(repeats) if repeats else 0.0,
            )
        )
    return summaries


def check_summaries(summaries: Sequence[CustomerSummary]) -> None:
    """Refuse summaries a model cannot read: empty, non-finite, or inconsistent x, t_x and T."""
    if not summaries:
        raise InvalidInputError("no customers to fit; the calibration period holds no purchases")
    for summary in summaries:
        values = (summary.recency, summary.age, summary.monetary)
        if not all(math.isfinite(value) for value in values):
            raise InvalidInputError("a customer summary holds a value that is not a finite number")
        if summary.frequency < 0 or not 0 <= summary.recency <= summary.age:
            raise InvalidInputError(
                "a customer summary needs frequency >= 0 and 0 <= recency <= age (T)"
            )
        if (summary.frequency == 0) != (summary.recency == 0):
            raise InvalidInputError(
                "recency must be 0 exactly when frequency is 0 (no repeat purchase)"
            )
