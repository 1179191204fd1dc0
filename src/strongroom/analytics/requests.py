"""What an analytics run is asked for, and what each metric is handed to compute it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from strongroom.analytics.metrics import FUTURE_LINES
from strongroom.core.analytics import ParamValue, ResultTable, as_int
from strongroom.core.errors import InvalidInputError

METRIC_NAMES = ("rfm", "clv", "cohorts", "churn", "affinity", "funnel")
ENGINE_NAMES = ("duckdb", "spark")

Query = Callable[[str, Mapping[str, ParamValue]], ResultTable]


@dataclass(frozen=True, slots=True)
class MetricRequest:
    """One run: the metric, its as-of date (default today, UTC) and the metric's options."""

    metric: str
    as_of: date | None = None
    engine: str = "duckdb"
    k: int | None = None  # None: the configured minimum; a larger k may be asked for
    weeks: float = 52.0  # clv: the forecast horizon
    steps: tuple[str, ...] = ()  # funnel: event names, in order
    window_hours: float = 24.0  # funnel: from the first step to the last
    since: date | None = None  # funnel: first day of events looked at; default as_of - 30 days
    top: int = 50  # affinity: how many pairs, by lift
    options: dict[str, str] = field(default_factory=dict)

    def check(self) -> None:
        if self.metric not in METRIC_NAMES:
            raise InvalidInputError(
                f"unknown metric {self.metric!r}; the metrics are: {', '.join(METRIC_NAMES)}"
            )
        if self.engine not in ENGINE_NAMES:
            raise InvalidInputError(
                f"unknown engine {self.engine!r}; the engines are: {', '.join(ENGINE_NAMES)}"
            )
        if not 0 < self.weeks <= 520:
            raise InvalidInputError("the CLV horizon must be more than 0 and at most 520 weeks")
        if not 0 < self.top <= 10_000:
            raise InvalidInputError("top must be between 1 and 10000 pairs")


@dataclass(frozen=True, slots=True)
class RunContext:
    """What a metric computes with: a query runner over the consented warehouse, as_of and k."""

    query: Query
    as_of: date
    k: int

    @property
    def cutoff(self) -> str:
        """The first instant after as_of (UTC): rows at or after it are in the future."""
        return f"{(self.as_of + timedelta(days=1)).isoformat()} 00:00:00"

    def params(self, **extra: ParamValue) -> dict[str, ParamValue]:
        return {"as_of": self.as_of.isoformat(), "cutoff": self.cutoff, **extra}

    def future_notes(self) -> tuple[str, ...]:
        """A note when order lines dated after as_of were left out (they are counted)."""
        lines = as_int(self.query(FUTURE_LINES, self.params()).rows[0][0])
        if not lines:
            return ()
        return (f"{lines} order line(s) dated after {self.as_of.isoformat()} were left out",)


def no_purchases(as_of: date) -> InvalidInputError:
    return InvalidInputError(
        f"the warehouse holds no purchases of consenting customers on or before "
        f"{as_of.isoformat()}: build it with `strongroom warehouse build`, or pick another --as-of"
    )
