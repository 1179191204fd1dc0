"""Funnel conversion: customers reaching each ordered step within the window, and conversion.

The SQL (metrics/events.py) counts customers per step. A step reached by 1..k-1 customers is
masked (count and conversions None), and so is every later step, since their counts can only be
smaller; conversion from previous = step / previous step, from start = step / step 1.
"""

from __future__ import annotations

from datetime import timedelta

from strongroom.analytics.guards import is_small
from strongroom.analytics.metrics import FUNNEL_STEPS, MAX_FUNNEL_STEPS
from strongroom.analytics.requests import MetricRequest, RunContext
from strongroom.core.analytics import BarChart, MetricReport, ParamValue, ResultTable, as_int
from strongroom.core.errors import InvalidInputError

DEFAULT_DAYS = 30
MAX_EVENT_NAME = 200


def funnel_params(run: RunContext, request: MetricRequest) -> dict[str, ParamValue]:
    steps = request.steps
    if not 2 <= len(steps) <= MAX_FUNNEL_STEPS:
        raise InvalidInputError(f"a funnel needs 2 to {MAX_FUNNEL_STEPS} steps (event names)")
    if any(not s.strip() or len(s) > MAX_EVENT_NAME for s in steps):
        raise InvalidInputError(f"each step is an event name of 1-{MAX_EVENT_NAME} characters")
    if not 0 < request.window_hours <= 24 * 366:
        raise InvalidInputError("the funnel window must be more than 0 and at most 8784 hours")
    since = request.since or run.as_of - timedelta(days=DEFAULT_DAYS)
    if since > run.as_of:
        raise InvalidInputError("--since must be on or before the as-of date")
    params: dict[str, ParamValue] = {
        "since": f"{since.isoformat()} 00:00:00",
        "window": int(request.window_hours * 3600),
        "steps": len(steps),
    }
    for number in range(1, MAX_FUNNEL_STEPS + 1):
        params[f"step{number}"] = steps[number - 1] if number <= len(steps) else ""
    return run.params(**params)


def funnel_report(run: RunContext, request: MetricRequest) -> MetricReport:
    """Customers per step and the conversion between steps, k-masked."""
    counts = run.query(FUNNEL_STEPS, funnel_params(run, request))
    reached = [as_int(row[1]) for row in counts.rows][: len(request.steps)]
    if reached[0] == 0:
        raise InvalidInputError(
            f"no consenting customer has a {request.steps[0]!r} event in the period: "
            "check the event name and --since"
        )
    rows: list[tuple[int, str, int | None, float | None, float | None]] = []
    suppressed, masked = 0, False
    for number, (name, count) in enumerate(zip(request.steps, reached, strict=True), start=1):
        masked = masked or is_small(count, run.k)
        if masked:
            suppressed += 1
            rows.append((number, name, None, None, None))
            continue
        previous = reached[number - 2] if number > 1 else count
        rows.append(
            (
                number,
                name,
                count,
                round(count / previous, 4) if previous else 0.0,
                round(count / reached[0], 4),
            )
        )
    columns = ("step", "event", "customers", "conversion_from_previous", "conversion_from_start")
    shown = [row for row in rows if row[2] is not None]
    return MetricReport(
        metric="funnel",
        table=ResultTable(columns, tuple(rows)),
        chart=BarChart(
            "Funnel", tuple(str(r[1]) for r in shown), tuple(float(r[2] or 0) for r in shown)
        ),
        suppressed_groups=suppressed,
        notes=(f"window {request.window_hours:g} hours from each customer's first step",),
    )
