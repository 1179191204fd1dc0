"""Cohort retention by first-purchase month, as Mixpanel defines it.

A customer belongs to the cohort of the calendar month of their first purchase; the retention of
month k is the share of the cohort with at least one purchase in the k-th month after it (month 0
is the first-purchase month, so it is always 1.0). Months after `through` are not reported.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from strongroom.analytics.models import CohortRetention, Transaction
from strongroom.analytics.summary import purchase_days


def _month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


def _label(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def cohort_retention(
    transactions: Iterable[Transaction], *, through: date
) -> list[CohortRetention]:
    """Retention per first-purchase month up to the month of `through`; later dates are an error."""
    days = purchase_days(transactions, today=through)
    last = _month_index(through)
    members: dict[int, int] = defaultdict(int)
    active: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for by_day in days.values():
        months = {_month_index(day) for day in by_day}
        cohort = min(months)
        members[cohort] += 1
        for month in months:
            active[cohort][month - cohort] += 1
    return [
        CohortRetention(
            cohort=_label(cohort),
            size=size,
            retention=tuple(active[cohort][k] / size for k in range(last - cohort + 1)),
        )
        for cohort, size in sorted(members.items())
    ]
