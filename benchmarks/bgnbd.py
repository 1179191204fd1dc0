"""BG/NBD fit on synthetic customers: with identical rows collapsed into weights, and without.

    .venv/bin/python benchmarks/bgnbd.py [--customers 1000000] [--baseline 1000000]

Customers are simulated from BG/NBD itself (r=0.24, alpha=4.41, a=0.79, b=2.43, as CDNOW), with
purchase times on whole days and T = 1..52 weeks, vectorised in numpy. ``fit_bgnbd`` collapses
identical (x, t_x, T) rows and weights them. The baseline is the same likelihood and optimiser on
one row per customer (no collapsing) over ``--baseline`` customers: lifetimes' BetaGeoFitter is
not installed here (it is unmaintained and not a dependency), so it is not the baseline.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from scipy.optimize import minimize  # type: ignore[import-untyped]

from strongroom.analytics.bgnbd import _log_likelihood, fit_bgnbd
from strongroom.analytics.models import BgNbdParams, CustomerSummary

TRUE = BgNbdParams(r=0.24, alpha=4.41, a=0.79, b=2.43)


def simulate(customers: int, seed: int = 3) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    age_days = rng.integers(1, 53, customers) * 7
    rate = rng.gamma(TRUE.r, 1 / TRUE.alpha, customers) / 7  # purchases per day
    dropout = rng.beta(TRUE.a, TRUE.b, customers)
    now = np.zeros(customers)
    last = np.zeros(customers)
    count = np.zeros(customers, dtype=np.int64)
    alive = np.ones(customers, dtype=bool)
    while alive.any():
        index = np.flatnonzero(alive)
        now[index] += rng.exponential(1 / np.maximum(rate[index], 1e-12))
        bought = now[index] <= age_days[index]
        done = index[~bought]
        alive[done] = False
        buyers = index[bought]
        count[buyers] += 1
        last[buyers] = now[buyers]
        alive[buyers] = rng.random(buyers.size) >= dropout[buyers]
    recency = np.ceil(last) / 7  # whole days, at least one after the first purchase
    return count.astype(float), np.where(count > 0, recency, 0.0), age_days / 7


def fit_uncollapsed(x: np.ndarray, t_x: np.ndarray, age: np.ndarray) -> BgNbdParams:
    def negative(log_params: np.ndarray) -> float:
        with np.errstate(all="ignore"):
            total = float(np.sum(_log_likelihood(BgNbdParams(*np.exp(log_params)), x, t_x, age)))
        return -total if np.isfinite(total) else np.inf

    options = {"xatol": 1e-9, "fatol": 1e-9, "maxiter": 20_000, "maxfev": 40_000}
    result = minimize(negative, np.zeros(4), method="Nelder-Mead", options=options)
    return BgNbdParams(*(float(v) for v in np.exp(result.x)))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--baseline", type=int, default=1_000_000)
    args = parser.parse_args()
    started = time.perf_counter()
    x, t_x, age = simulate(args.customers)
    print(f"simulated {args.customers:,} customers in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    summaries = [
        CustomerSummary(str(i), int(a), float(b), float(c))
        for i, (a, b, c) in enumerate(zip(x, t_x, age, strict=True))
    ]
    fit = fit_bgnbd(summaries)
    collapsed = time.perf_counter() - started
    unique = len(np.unique(np.stack([x, t_x, age], axis=1), axis=0))
    print(f"collapsed fit: {collapsed:6.1f} s on {unique:,} distinct rows -> {_show(fit.params)}")
    n = min(args.baseline, args.customers)
    started = time.perf_counter()
    plain = fit_uncollapsed(x[:n], t_x[:n], age[:n])
    baseline = time.perf_counter() - started
    print(f"one row each:  {baseline:6.1f} s on {n:,} rows          -> {_show(plain)}")
    per_customer = (baseline / n) / (collapsed / args.customers)
    print(f"  ratio (seconds per customer, one row each / collapsed): {per_customer:.1f}x")
    print(f"  true parameters: {_show(TRUE)}")


def _show(params: BgNbdParams) -> str:
    return f"r={params.r:.3f} alpha={params.alpha:.3f} a={params.a:.3f} b={params.b:.3f}"


if __name__ == "__main__":
    main()
