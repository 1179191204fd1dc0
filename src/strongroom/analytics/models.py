"""The value types of analytics: transactions in, summaries, fitted models and scores out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True, slots=True)
class Transaction:
    """One order line: who (a pseudonym), on which day, for how much (negative for a refund)."""

    customer_id: str
    day: date
    amount: float


@dataclass(frozen=True, slots=True)
class CustomerSummary:
    """One customer's purchase history in a calibration period, as BG/NBD reads it.

    frequency is x, the number of repeat purchase days; recency is t_x, the weeks from the first to
    the last purchase; age is T, the weeks from the first purchase to the end of the period;
    monetary is zbar, the mean value of the repeat purchases (0.0 with no repeat purchase).
    """

    customer_id: str
    frequency: int
    recency: float
    age: float
    monetary: float = 0.0


@dataclass(frozen=True, slots=True)
class BgNbdParams:
    """BG/NBD: purchase rate ~ Gamma(r, alpha), dropout probability ~ Beta(a, b)."""

    r: float
    alpha: float
    a: float
    b: float


@dataclass(frozen=True, slots=True)
class BgNbdFit:
    """Maximum-likelihood BG/NBD parameters, the log-likelihood and how many customers fed it."""

    params: BgNbdParams
    log_likelihood: float
    customers: int


@dataclass(frozen=True, slots=True)
class GammaGammaParams:
    """Gamma-Gamma spend: per-purchase spend ~ Gamma(p, nu), nu ~ Gamma(q, gamma)."""

    p: float
    q: float
    gamma: float


@dataclass(frozen=True, slots=True)
class GammaGammaFit:
    """Maximum-likelihood Gamma-Gamma parameters; excluded counts repeat buyers with zero spend."""

    params: GammaGammaParams
    log_likelihood: float
    customers: int
    excluded: int


@dataclass(frozen=True, slots=True)
class CustomerForecast:
    """P(alive), expected purchases and expected spend per purchase for one customer."""

    customer_id: str
    p_alive: float
    expected_purchases: float
    expected_spend: float

    @property
    def value(self) -> float:
        """Undiscounted value of the horizon: expected purchases times expected spend."""
        return self.expected_purchases * self.expected_spend


@dataclass(frozen=True, slots=True)
class RfmScore:
    """One customer's RFM raw values, quintile scores (1-5, 5 best) and named segment."""

    customer_id: str
    recency_days: int
    frequency: int
    monetary: float
    recency_score: int
    frequency_score: int
    monetary_score: int
    segment: str


@dataclass(frozen=True, slots=True)
class CohortRetention:
    """A first-purchase month, its size, and the share of it active in month 0, 1, 2, ..."""

    cohort: str
    size: int
    retention: tuple[float, ...]
