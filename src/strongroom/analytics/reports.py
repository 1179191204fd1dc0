"""RFM, CLV and cohort retention from the warehouse: the SQL aggregates, Python scores.

Scoring reuses the pure models (rfm.py quintiles and segments, bgnbd.py and gammagamma.py fits,
clv.py forecasts); grouped outputs pass the k guard before they leave.
"""

from __future__ import annotations

from collections import defaultdict

from strongroom.analytics.bgnbd import fit_bgnbd
from strongroom.analytics.churn import calibration, fit_parameters
from strongroom.analytics.clv import forecast_customers
from strongroom.analytics.gammagamma import fit_gamma_gamma
from strongroom.analytics.guards import drop_small_groups, is_small
from strongroom.analytics.metrics import COHORT_ACTIVITY, RFM_INPUTS
from strongroom.analytics.requests import MetricRequest, RunContext, no_purchases
from strongroom.analytics.rfm import quintile_scores, segment_for
from strongroom.core.analytics import (
    BarChart,
    HeatmapChart,
    HistogramChart,
    MetricReport,
    ResultTable,
    Scalar,
    as_float,
    as_int,
)

RFM_COLUMNS = (
    "customer_pseudonym",
    "recency_days",
    "frequency",
    "monetary",
    "recency_score",
    "frequency_score",
    "monetary_score",
    "segment",
)


def rfm_report(run: RunContext) -> MetricReport:
    """Per customer: raw R, F, M, quintile scores and segment; segment sizes, k-suppressed."""
    inputs = run.query(RFM_INPUTS, run.params())
    if not inputs.rows:
        raise no_purchases(run.as_of)
    recency = [as_int(v) for v in inputs.column("recency_days")]
    frequency = [as_int(v) for v in inputs.column("frequency")]
    monetary = [round(as_float(v), 2) for v in inputs.column("monetary")]
    r_scores = quintile_scores([-float(v) for v in recency])
    f_scores = quintile_scores([float(v) for v in frequency])
    m_scores = quintile_scores(monetary)
    rows = tuple(
        (
            row[0],
            recency[i],
            frequency[i],
            monetary[i],
            r_scores[i],
            f_scores[i],
            m_scores[i],
            segment_for(r_scores[i], f_scores[i], m_scores[i]),
        )
        for i, row in enumerate(inputs.rows)
    )
    summary, suppressed = drop_small_groups(_segment_sizes(rows), count_column="customers", k=run.k)
    chart = BarChart(
        "RFM segment sizes",
        tuple(str(row[0]) for row in summary.rows),
        tuple(as_float(row[1]) for row in summary.rows),
    )
    return MetricReport(
        metric="rfm",
        table=ResultTable(RFM_COLUMNS, rows),
        summary=summary,
        chart=chart,
        suppressed_groups=suppressed,
        notes=run.future_notes(),
    )


def _segment_sizes(rows: tuple[tuple[Scalar, ...], ...]) -> ResultTable:
    members: dict[str, list[tuple[Scalar, ...]]] = defaultdict(list)
    for row in rows:
        members[str(row[7])].append(row)
    total = len(rows)
    summary = []
    for segment, group in sorted(members.items(), key=lambda item: (-len(item[1]), item[0])):
        n = len(group)
        summary.append(
            (
                segment,
                n,
                round(n / total, 4),
                round(sum(as_float(r[1]) for r in group) / n, 1),
                round(sum(as_float(r[2]) for r in group) / n, 2),
                round(sum(as_float(r[3]) for r in group) / n, 2),
            )
        )
    columns = (
        "segment",
        "customers",
        "share",
        "mean_recency_days",
        "mean_frequency",
        "mean_monetary",
    )
    return ResultTable(columns, tuple(summary))


def clv_report(run: RunContext, request: MetricRequest) -> MetricReport:
    """Per customer: P(alive), expected purchases and spend, and value over ``weeks``."""
    summaries = calibration(run)
    purchases = fit_bgnbd(summaries)
    spend = fit_gamma_gamma(summaries)
    forecasts = forecast_customers(
        purchases=purchases.params, spend=spend.params, summaries=summaries, weeks=request.weeks
    )
    rows = tuple(
        (
            s.customer_id,
            s.frequency,
            round(s.recency, 4),
            round(s.age, 4),
            round(s.monetary, 2),
            f.p_alive,
            f.expected_purchases,
            f.expected_spend,
            f.value,
        )
        for s, f in zip(summaries, forecasts, strict=True)
    )
    columns = (
        "customer_pseudonym",
        "frequency",
        "recency_weeks",
        "age_weeks",
        "monetary",
        "p_alive",
        "expected_purchases",
        "expected_spend",
        "clv",
    )
    parameters = [
        *fit_parameters(purchases),
        ("gamma_gamma_p", spend.params.p),
        ("gamma_gamma_q", spend.params.q),
        ("gamma_gamma_gamma", spend.params.gamma),
        ("gamma_gamma_excluded_zero_spend", float(spend.excluded)),
    ]
    notes = (
        f"CLV is undiscounted, over {request.weeks:g} weeks after {run.as_of.isoformat()}",
        *run.future_notes(),
    )
    return MetricReport(
        metric="clv",
        table=ResultTable(columns, rows),
        summary=ResultTable(("parameter", "value"), tuple(parameters)),
        chart=HistogramChart(
            f"CLV distribution ({request.weeks:g} weeks)", "CLV", tuple(f.value for f in forecasts)
        ),
        notes=notes,
        parameters={name: f"{value:.6g}" for name, value in parameters},
    )


def cohort_report(run: RunContext) -> MetricReport:
    """Retention by first-purchase month: cohorts under k dropped, cells of 1..k-1 masked."""
    activity = run.query(COHORT_ACTIVITY, run.params())
    if not activity.rows:
        raise no_purchases(run.as_of)
    active: dict[int, dict[int, int]] = defaultdict(dict)
    for cohort, period, customers in activity.rows:
        active[as_int(cohort)][as_int(period)] = as_int(customers)
    last = run.as_of.year * 12 + run.as_of.month - 1
    width = last - min(active) + 1
    rows, cells, suppressed = [], [], 0
    for cohort in sorted(active):
        size = active[cohort].get(0, 0)
        if is_small(size, run.k):
            suppressed += 1
            continue
        shares: list[float | None] = []
        for period in range(width):
            count = active[cohort].get(period, 0)
            if cohort + period > last:
                shares.append(None)  # not observed yet: not 0%
            elif is_small(count, run.k):
                shares.append(None)
                suppressed += 1
            else:
                shares.append(round(count / size, 4))
        rows.append((_label(cohort), size, *shares))
        cells.append(tuple(shares))
    columns = ("cohort", "customers", *(f"m{period}" for period in range(width)))
    chart = HeatmapChart(
        "Cohort retention by first-purchase month",
        tuple(str(row[0]) for row in rows),
        tuple(f"m{period}" for period in range(width)),
        tuple(cells),
    )
    return MetricReport(
        metric="cohorts",
        table=ResultTable(columns, tuple(rows)),
        chart=chart,
        suppressed_groups=suppressed,
        notes=run.future_notes(),
    )


def _label(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"
