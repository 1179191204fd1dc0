"""Churn risk: 1 - P(alive) from a BG/NBD fit of the calibration summary, in risk bands.

A customer with no repeat purchase has P(alive) = 1 in BG/NBD (one can only drop out right after
a repeat purchase), so their risk is 0: BG/NBD says nothing about one-time buyers' churn.
Bands: low below 0.3, medium from 0.3 below 0.7, high from 0.7.
"""

from __future__ import annotations

from strongroom.analytics.bgnbd import fit_bgnbd, p_alive
from strongroom.analytics.guards import drop_small_groups
from strongroom.analytics.metrics import CALIBRATION_SUMMARY
from strongroom.analytics.models import BgNbdFit, CustomerSummary
from strongroom.analytics.requests import RunContext, no_purchases
from strongroom.core.analytics import BarChart, MetricReport, ResultTable, as_float, as_int

BANDS: tuple[tuple[str, float], ...] = (("low", 0.3), ("medium", 0.7), ("high", 1.0))


def band_for(risk: float) -> str:
    """The band of a churn risk in 0..1."""
    for name, upper in BANDS[:-1]:
        if risk < upper:
            return name
    return BANDS[-1][0]


def calibration(run: RunContext) -> list[CustomerSummary]:
    """The BG/NBD summary (x, t_x, T, zbar) of every consenting customer up to as_of."""
    table = run.query(CALIBRATION_SUMMARY, run.params())
    if not table.rows:
        raise no_purchases(run.as_of)
    return [
        CustomerSummary(
            customer_id=str(row[0]),
            frequency=as_int(row[1]),
            recency=as_float(row[2]),
            age=as_float(row[3]),
            monetary=as_float(row[4]),
        )
        for row in table.rows
    ]


def fit_parameters(fit: BgNbdFit) -> list[tuple[str, float]]:
    params = fit.params
    return [
        ("bgnbd_r", params.r),
        ("bgnbd_alpha", params.alpha),
        ("bgnbd_a", params.a),
        ("bgnbd_b", params.b),
        ("bgnbd_log_likelihood", fit.log_likelihood),
    ]


def churn_report(run: RunContext) -> MetricReport:
    """Per customer: P(alive), churn risk and band; a k-suppressed table of band sizes."""
    summaries = calibration(run)
    fit = fit_bgnbd(summaries)
    rows = []
    for customer in summaries:
        alive = p_alive(fit.params, customer)
        risk = 1.0 - alive
        rows.append((customer.customer_id, customer.frequency, alive, risk, band_for(risk)))
    columns = ("customer_pseudonym", "frequency", "p_alive", "churn_risk", "band")
    sizes: dict[str, list[float]] = {name: [0, 0.0] for name, _ in BANDS}
    for row in rows:
        sizes[row[4]][0] += 1
        sizes[row[4]][1] += row[3]
    bands = ResultTable(
        ("band", "customers", "mean_churn_risk"),
        tuple((name, int(n), (total / n) if n else 0.0) for name, (n, total) in sizes.items()),
    )
    summary, suppressed = drop_small_groups(bands, count_column="customers", k=run.k)
    chart = BarChart(
        "Churn risk bands",
        tuple(str(row[0]) for row in summary.rows),
        tuple(as_float(row[1]) for row in summary.rows),
    )
    return MetricReport(
        metric="churn",
        table=ResultTable(columns, tuple(rows)),
        summary=summary,
        chart=chart,
        suppressed_groups=suppressed,
        notes=run.future_notes(),
        parameters={name: f"{value:.6g}" for name, value in fit_parameters(fit)},
    )
