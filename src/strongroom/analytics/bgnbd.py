"""BG/NBD (Fader, Hardie & Lee 2005): fit by maximum likelihood, P(alive), expected purchases.

The likelihood is computed in log space (gammaln, logaddexp) so no intermediate overflows.
Identical (x, t_x, T) rows are collapsed and weighted, which makes large fits cheap.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from strongroom.analytics.models import BgNbdFit, BgNbdParams, CustomerSummary
from strongroom.analytics.summary import check_summaries
from strongroom.core.errors import InvalidInputError

Array = NDArray[np.float64]


def _log_likelihood(params: BgNbdParams, x: Array, t_x: Array, age: Array) -> Array:
    # scipy takes 0.6 s to import: loaded here, by the fits, not at every CLI start.
    from scipy.special import gammaln  # type: ignore[import-untyped]  # noqa: PLC0415

    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    head = (
        gammaln(r + x)
        - gammaln(r)
        + r * np.log(alpha)
        + gammaln(a + b)
        + gammaln(b + x)
        - gammaln(b)
        - gammaln(a + b + x)
    )
    alive = -(r + x) * np.log(alpha + age)
    repeat = x > 0
    # Only rows with a repeat purchase have the "dropped out after the last purchase" term.
    dropped = np.full_like(x, -np.inf)
    xr = x[repeat]
    dropped[repeat] = np.log(a) - np.log(b + xr - 1) - (r + xr) * np.log(alpha + t_x[repeat])
    result: Array = head + np.logaddexp(alive, dropped)
    return result


def _collapse(summaries: Sequence[CustomerSummary]) -> tuple[Array, Array, Array, Array]:
    rows = np.array([(s.frequency, s.recency, s.age) for s in summaries], dtype=np.float64)
    unique, counts = np.unique(rows, axis=0, return_counts=True)
    return unique[:, 0], unique[:, 1], unique[:, 2], counts.astype(np.float64)


def fit_bgnbd(summaries: Sequence[CustomerSummary]) -> BgNbdFit:
    """Fit r, alpha, a, b by maximum likelihood; a clear error when the fit cannot be trusted."""
    # scipy takes 0.6 s to import: loaded here, by the fits, not at every CLI start.
    from scipy.optimize import minimize  # type: ignore[import-untyped]  # noqa: PLC0415

    check_summaries(summaries)
    if not any(s.frequency > 0 for s in summaries):
        raise InvalidInputError(
            "BG/NBD needs at least one customer with a repeat purchase; widen the period"
        )
    x, t_x, age, weight = _collapse(summaries)

    def negative(log_params: Array) -> float:
        with np.errstate(all="ignore"):
            params = BgNbdParams(*np.exp(log_params))
            total = float(np.sum(weight * _log_likelihood(params, x, t_x, age)))
        return -total if np.isfinite(total) else np.inf

    start = np.zeros(4)
    options = {"xatol": 1e-9, "fatol": 1e-9, "maxiter": 20_000, "maxfev": 40_000}
    result = minimize(negative, start, method="Nelder-Mead", options=options)
    return BgNbdFit(
        params=_converged(result.success, result.x, result.fun),
        log_likelihood=-float(result.fun),
        customers=len(summaries),
    )


def _converged(success: bool, log_params: Array, value: float) -> BgNbdParams:
    finite = np.all(np.isfinite(log_params)) and np.isfinite(value)
    if not (success and finite and np.all(np.abs(log_params) < 30)):
        raise InvalidInputError(
            "the BG/NBD fit did not converge on this data; check the summaries or add customers"
        )
    return BgNbdParams(*(float(v) for v in np.exp(log_params)))


def _log_dropout_odds(params: BgNbdParams, x: float, t_x: float, age: float) -> float:
    """log of a/(b+x-1) * ((alpha+T)/(alpha+t_x))^(r+x): the odds of having dropped out."""
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    return float(
        np.log(a) - np.log(b + x - 1) + (r + x) * (np.log(alpha + age) - np.log(alpha + t_x))
    )


def p_alive(params: BgNbdParams, summary: CustomerSummary) -> float:
    """Probability that the customer is still active at the end of the calibration period."""
    check_summaries([summary])
    if summary.frequency == 0:
        return 1.0  # BG/NBD customers can only drop out right after a repeat purchase
    odds = _log_dropout_odds(params, summary.frequency, summary.recency, summary.age)
    return float(np.exp(-np.logaddexp(0.0, odds)))


def expected_purchases(params: BgNbdParams, summary: CustomerSummary, *, weeks: float) -> float:
    """Expected number of purchases in the next `weeks`, given the customer's history."""
    # scipy takes 0.6 s to import: loaded here, by the fits, not at every CLI start.
    from scipy.special import hyp2f1  # noqa: PLC0415

    check_summaries([summary])
    if not (np.isfinite(weeks) and weeks >= 0):
        raise InvalidInputError("the forecast horizon must be a finite number of weeks >= 0")
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    x, age = float(summary.frequency), summary.age
    z = weeks / (alpha + age + weeks)
    # Euler's transformation of ((1-z)^(r+x)) 2F1(r+x, b+x; a+b+x-1; z): bounded for any x,
    # where the textbook form overflows the series and underflows the power for heavy buyers.
    tail = np.exp((a - 1) * np.log1p(-z)) * hyp2f1(a + b - 1 - r, a - 1, a + b + x - 1, z)
    with np.errstate(all="ignore"):  # a == 1 exactly divides by zero; caught just below
        scale = np.float64(a + b + x - 1) / np.float64(a - 1)
        value = scale * (1 - tail) * p_alive(params, summary)
    if not np.isfinite(value):
        raise InvalidInputError(
            "expected purchases are not finite for these parameters; refit the model"
        )
    return float(value)
