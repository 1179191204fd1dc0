"""The analytics run: policy, consent, the metric on an engine, the k guard, the audit entry.

Every run needs ``analytics.read`` and is done for the purpose ``analytics``; only customers whose
consent ledger grants that purpose are analysed; every grouped output is k-suppressed; nothing
non-finite leaves; and each run, failed or not, is recorded in the audit log with its metric,
parameters and counts (never a pseudonym, an event name or a value).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import date

from strongroom.access.gate import authorise
from strongroom.access.permissions import Permission
from strongroom.analytics.affinity import affinity_report
from strongroom.analytics.churn import churn_report
from strongroom.analytics.funnel import funnel_report
from strongroom.analytics.guards import (
    ANALYTICS_PURPOSE,
    consented_pseudonyms,
    effective_k,
    require_finite,
)
from strongroom.analytics.reports import clv_report, cohort_report, rfm_report
from strongroom.analytics.requests import MetricRequest, RunContext
from strongroom.core.analytics import MetricEngineFactory, MetricReport, ParamValue, ResultTable
from strongroom.core.clock import Clock
from strongroom.core.errors import InvalidInputError, StrongroomError
from strongroom.core.models import Actor
from strongroom.core.ports import AuditTrail, UnitOfWorkFactory
from strongroom.core.trail import AuditAction, AuditDraft, Outcome
from strongroom.vault.pseudonyms import Pseudonymizer

_RESOURCE = "warehouse"

Metric = Callable[[RunContext, MetricRequest], MetricReport]

METRICS: dict[str, Metric] = {
    "rfm": lambda run, _: rfm_report(run),
    "clv": clv_report,
    "cohorts": lambda run, _: cohort_report(run),
    "churn": lambda run, _: churn_report(run),
    "affinity": affinity_report,
    "funnel": funnel_report,
}


@dataclass(frozen=True, slots=True)
class AnalyticsService:
    """Runs the metrics for staff allowed to, on the consenting customers' pseudonymized data."""

    uow_factory: UnitOfWorkFactory
    engines: MetricEngineFactory
    pseudonyms: Pseudonymizer
    audit: AuditTrail
    clock: Clock
    min_group_size: int = 5

    def run(self, *, actor: Actor, request: MetricRequest) -> MetricReport:
        """Compute one metric; audited whether it succeeds or fails."""
        request.check()
        purpose = authorise(
            uow_factory=self.uow_factory,
            audit=self.audit,
            actor=actor,
            permission=Permission.ANALYTICS_READ,
            purpose=ANALYTICS_PURPOSE,
            resource_type=_RESOURCE,
        )
        k = effective_k(request.k, self.min_group_size)
        as_of = self._as_of(request)
        base = {"metric": request.metric, "engine": request.engine, "as_of": as_of.isoformat()}
        try:
            with self.uow_factory() as uow:
                allowed = consented_pseudonyms(uow, self.pseudonyms)
            report = self._compute(request, as_of=as_of, k=k, allowed=allowed)
            require_finite(report)
        except StrongroomError as error:
            self._record(actor, purpose, Outcome.FAILED, {**base, "k": k, "error": error.code})
            raise
        report = replace(
            report,
            consented_customers=None if allowed is None else len(allowed),
            parameters={**base, "k": str(k), **report.parameters},
        )
        self._record(actor, purpose, Outcome.SUCCESS, {**base, **_counts(report, k)})
        return report

    def _as_of(self, request: MetricRequest) -> date:
        today = self.clock.now().date()
        as_of = request.as_of or today
        if as_of > today:
            raise InvalidInputError(
                f"--as-of {as_of.isoformat()} is in the future; analyse up to today at the latest"
            )
        return as_of

    def _compute(
        self, request: MetricRequest, *, as_of: date, k: int, allowed: frozenset[str] | None
    ) -> MetricReport:
        engine = self.engines(request.engine)
        try:

            def query(sql: str, params: Mapping[str, ParamValue]) -> ResultTable:
                return engine.run(sql, params, allowed=allowed)

            return METRICS[request.metric](RunContext(query, as_of, k), request)
        finally:
            engine.close()

    def _record(
        self, actor: Actor, purpose: str, outcome: Outcome, detail: dict[str, str | int]
    ) -> None:
        draft = AuditDraft(
            actor=actor.label,
            action=AuditAction.ANALYTICS_RUN,
            outcome=outcome,
            resource_type=_RESOURCE,
            purpose=purpose,
            detail=detail,
            origin=actor.origin,
        )
        with self.uow_factory() as uow:
            self.audit.record(uow, [draft])
            uow.commit()


def _counts(report: MetricReport, k: int) -> dict[str, str | int]:
    counts: dict[str, str | int] = {
        "k": k,
        "rows": len(report.table.rows),
        "suppressed_groups": report.suppressed_groups,
    }
    if report.summary is not None:
        counts["summary_rows"] = len(report.summary.rows)
    if report.consented_customers is not None:
        counts["consented_customers"] = report.consented_customers
    return counts
