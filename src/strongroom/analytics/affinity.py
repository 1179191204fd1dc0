"""Product affinity: the lift of co-purchase for pairs of SKUs, k-suppressed by customers.

The SQL (metrics/baskets.py) counts orders and distinct customers per pair and computes support,
confidence and lift; here pairs bought by fewer than k distinct customers are dropped and the
rest ranked by lift (then by orders, then by SKU), keeping the top N.
"""

from __future__ import annotations

from strongroom.analytics.guards import drop_small_groups
from strongroom.analytics.metrics import PAIR_AFFINITY
from strongroom.analytics.requests import MetricRequest, RunContext
from strongroom.core.analytics import MetricReport, ResultTable, as_float
from strongroom.core.errors import InvalidInputError


def affinity_report(run: RunContext, request: MetricRequest) -> MetricReport:
    """The top pairs by lift, each bought together by at least k distinct customers."""
    pairs = run.query(PAIR_AFFINITY, run.params())
    if not pairs.rows:
        raise InvalidInputError(
            f"no order on or before {run.as_of.isoformat()} holds two different products: "
            "there is no co-purchase to measure"
        )
    kept, suppressed = drop_small_groups(pairs, count_column="customers", k=run.k)
    lift, orders = kept.columns.index("lift"), kept.columns.index("orders")
    ranked = sorted(
        kept.rows, key=lambda row: (-as_float(row[lift]), -as_float(row[orders]), row[0], row[1])
    )
    rows = tuple(
        tuple(round(v, 6) if isinstance(v, float) else v for v in row)
        for row in ranked[: request.top]
    )
    notes = [f"{len(kept.rows)} pair(s) of {len(pairs.rows)} shown up to the top {request.top}"]
    return MetricReport(
        metric="affinity",
        table=ResultTable(kept.columns, rows),
        suppressed_groups=suppressed,
        notes=(*notes, *run.future_notes()),
    )
