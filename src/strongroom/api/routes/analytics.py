"""Analytics over the API: the same metrics as the CLI, JSON out, for the analyst role."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel

from strongroom.analytics.requests import METRIC_NAMES, MetricRequest
from strongroom.api.deps import AppDep, CurrentActor
from strongroom.core.analytics import MetricReport
from strongroom.core.errors import InvalidInputError

router = APIRouter(prefix="/api/v1/analytics", tags=["analytics"])

MetricPath = Annotated[str, Path(min_length=1, max_length=32, description="The metric")]


class AnalyticsOut(BaseModel):
    """One metric's result: a page of the main table, the grouped summary and the guards' counts."""

    metric: str
    parameters: dict[str, str]
    columns: list[str]
    rows: int
    offset: int
    table: list[dict[str, Any]]
    summary: list[dict[str, Any]] | None
    suppressed_groups: int
    consented_customers: int | None
    notes: list[str]

    @classmethod
    def from_report(cls, report: MetricReport, *, offset: int, limit: int) -> AnalyticsOut:
        return cls(
            metric=report.metric,
            parameters=report.parameters,
            columns=list(report.table.columns),
            rows=len(report.table.rows),
            offset=offset,
            table=report.table.records()[offset : offset + limit],
            summary=report.summary.records() if report.summary is not None else None,
            suppressed_groups=report.suppressed_groups,
            consented_customers=report.consented_customers,
            notes=list(report.notes),
        )


@router.get("/{metric}")
def run_metric(  # noqa: PLR0917 - FastAPI reads each query parameter from the signature
    app: AppDep,
    actor: CurrentActor,
    metric: MetricPath,
    as_of: Annotated[date | None, Query(description="Analyse up to this day")] = None,
    engine: Annotated[str, Query(max_length=16)] = "duckdb",
    k: Annotated[int | None, Query(ge=1, le=100_000, description="At least the setting")] = None,
    weeks: Annotated[float, Query(gt=0, le=520, description="clv: horizon")] = 52.0,
    step: Annotated[list[str] | None, Query(max_length=6, description="funnel: steps")] = None,
    window_hours: Annotated[float, Query(gt=0, le=8784)] = 24.0,
    since: Annotated[date | None, Query(description="funnel: first day")] = None,
    top: Annotated[int, Query(ge=1, le=10_000, description="affinity: pairs")] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=0, le=10_000)] = 100,
) -> AnalyticsOut:
    """Run ``metric`` (rfm, clv, cohorts, churn, affinity, funnel); needs `analytics.read`."""
    if metric not in METRIC_NAMES:
        raise InvalidInputError(f"unknown metric; the metrics are: {', '.join(METRIC_NAMES)}")
    request = MetricRequest(
        metric,
        as_of=as_of,
        engine=engine,
        k=k,
        weeks=weeks,
        steps=tuple(step or ()),
        window_hours=window_hours,
        since=since,
        top=top,
    )
    report = app.analytics.service.run(actor=actor, request=request)
    return AnalyticsOut.from_report(report, offset=offset, limit=limit)
