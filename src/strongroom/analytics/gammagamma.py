"""Gamma-Gamma spend model (Fader, Hardie & Lee 2005, "RFM and CLV"): fit and expected spend.

Fitted on repeat buyers only (frequency > 0), as in the paper; a repeat buyer whose mean spend is
zero (only free items) carries no information on the Gamma scale and is excluded, and counted.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from strongroom.analytics.models import CustomerSummary, GammaGammaFit, GammaGammaParams
from strongroom.analytics.summary import check_summaries
from strongroom.core.errors import InvalidInputError

Array = NDArray[np.float64]


def _log_likelihood(params: GammaGammaParams, x: Array, zbar: Array) -> Array:
    # scipy takes 0.6 s to import: loaded here, by the fits, not at every CLI start.
    from scipy.special import gammaln  # type: ignore[import-untyped]  # noqa: PLC0415

    p, q, gamma = params.p, params.q, params.gamma
    px = p * x
    result: Array = (
        gammaln(px + q)
        - gammaln(px)
        - gammaln(q)
        + q * np.log(gamma)
        + (px - 1) * np.log(zbar)
        + px * np.log(x)
        - (px + q) * np.log(gamma + x * zbar)
    )
    return result


def fit_gamma_gamma(summaries: Sequence[CustomerSummary]) -> GammaGammaFit:
    """Fit p, q, gamma by maximum likelihood on the repeat buyers among the summaries."""
    # scipy takes 0.6 s to import: loaded here, by the fits, not at every CLI start.
    from scipy.optimize import minimize  # type: ignore[import-untyped]  # noqa: PLC0415

    check_summaries(summaries)
    repeat = [s for s in summaries if s.frequency > 0]
    usable = [s for s in repeat if s.monetary > 0]
    if len(usable) < 2:
        raise InvalidInputError(
            "Gamma-Gamma needs at least two repeat buyers with a positive mean spend"
        )
    x = np.array([s.frequency for s in usable], dtype=np.float64)
    zbar = np.array([s.monetary for s in usable], dtype=np.float64)

    def negative(log_params: Array) -> float:
        with np.errstate(all="ignore"):
            total = float(np.sum(_log_likelihood(GammaGammaParams(*np.exp(log_params)), x, zbar)))
        return -total if np.isfinite(total) else np.inf

    options = {"xatol": 1e-9, "fatol": 1e-9, "maxiter": 20_000, "maxfev": 40_000}
    result = minimize(negative, np.zeros(3), method="Nelder-Mead", options=options)
    finite = np.all(np.isfinite(result.x)) and np.isfinite(result.fun)
    if not (result.success and finite and np.all(np.abs(result.x) < 30)):
        raise InvalidInputError(
            "the Gamma-Gamma fit did not converge on this data; check the spend values"
        )
    return GammaGammaFit(
        params=GammaGammaParams(*(float(v) for v in np.exp(result.x))),
        log_likelihood=-float(result.fun),
        customers=len(usable),
        excluded=len(repeat) - len(usable),
    )


def expected_spend(params: GammaGammaParams, summary: CustomerSummary) -> float:
    """Expected mean spend per purchase: a weighted mean of the population's and the customer's."""
    check_summaries([summary])
    p, q, gamma = params.p, params.q, params.gamma
    if q <= 1:
        raise InvalidInputError(
            "the fitted Gamma-Gamma q is <= 1, so mean spend is undefined; refit on more data"
        )
    population = p * gamma / (q - 1)
    if summary.frequency == 0:
        return population
    px = p * summary.frequency
    weight = (q - 1) / (px + q - 1)
    return weight * population + (1 - weight) * max(summary.monetary, 0.0)
