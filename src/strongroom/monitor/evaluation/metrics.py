"""Recall and precision at a fixed alert budget, per scenario kind.

The unit is the principal-day: a principal's activity on one UTC day. An analyst can review a
fixed share of them (1% by default), so alerted principal-days are ranked by severity, then
score, and only the top ``floor(rate * active principal-days)`` are kept. Within that budget:

- day recall: labelled principal-days kept / labelled principal-days;
- instance recall: scenario instances with at least one labelled day kept / instances;
- precision: labelled principal-days kept / principal-days kept (and, per kind, that kind's
  share of it, so that the kinds' precisions add up to the overall one).

Only the scored window counts (the days after the warm-up): alerts and principal-days outside it
are ignored, and so are labelled days outside it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from datetime import date
from fractions import Fraction

from strongroom.core.trail import AuditEntry
from strongroom.monitor.evaluation.models import (
    Alert,
    Dataset,
    Evaluation,
    ScenarioInstance,
    ScenarioKind,
    ScenarioScore,
)

DEFAULT_BUDGET_RATE = 0.01
PrincipalDay = tuple[str, date]


def active_principal_days(
    entries: Iterable[AuditEntry], first: date, last: date
) -> set[PrincipalDay]:
    """The (actor, UTC day) pairs with at least one entry between ``first`` and ``last``."""
    days: set[PrincipalDay] = set()
    for entry in entries:
        day = entry.occurred_at.date()
        if first <= day <= last:
            days.add((entry.draft.actor, day))
    return days


def alert_budget(principal_days: int, rate: float = DEFAULT_BUDGET_RATE) -> int:
    """How many principal-days may be alerted: ``rate`` of them, rounded down, exactly."""
    if not 0 < rate <= 1:
        raise ValueError(f"the alert budget rate must be in (0, 1], got {rate}")
    return int(Fraction(str(rate)) * principal_days)


def rank_alerts(alerts: Iterable[Alert]) -> list[Alert]:
    """One alert per principal-day (the highest severity and score, the detectors merged),
    most severe first, then highest score; remaining ties in an order unrelated to labels."""
    merged: dict[PrincipalDay, Alert] = {}
    for alert in alerts:
        key = (alert.principal, alert.day)
        held = merged.get(key)
        if held is None:
            merged[key] = alert
            continue
        merged[key] = Alert(
            alert.principal,
            alert.day,
            max(held.severity, alert.severity),
            max(held.score, alert.score),
            held.detectors | alert.detectors,
        )
    return sorted(merged.values(), key=_rank_key)


def _rank_key(alert: Alert) -> tuple[int, float, bytes]:
    # Ties are broken by a hash of the principal-day: stable, and blind to the ground truth.
    tiebreak = hashlib.sha256(f"{alert.principal}|{alert.day.isoformat()}".encode()).digest()
    return -alert.severity, -alert.score, tiebreak


def evaluate(
    *,
    alerts: Iterable[Alert],
    scenarios: Sequence[ScenarioInstance],
    principal_days: int,
    first: date,
    last: date,
    rate: float = DEFAULT_BUDGET_RATE,
) -> Evaluation:
    """Score ``alerts`` against the labelled ``scenarios`` within the budget of ``rate``."""
    ranked = rank_alerts(alert for alert in alerts if first <= alert.day <= last)
    budget = alert_budget(principal_days, rate)
    kept = {(alert.principal, alert.day) for alert in ranked[:budget]}
    labelled = {
        (instance.principal, day): instance.kind
        for instance in scenarios
        for day in instance.days
        if first <= day <= last
    }
    scores = tuple(
        _score(kind, [s for s in scenarios if s.kind is kind], kept, first, last)
        for kind in ScenarioKind
        if any(instance.kind is kind for instance in scenarios)
    )
    return Evaluation(
        principal_days=principal_days,
        budget=budget,
        alerted=len(ranked),
        kept=len(kept),
        true_positives=len(kept & labelled.keys()),
        scenarios=scores,
    )


def _score(
    kind: ScenarioKind,
    instances: Sequence[ScenarioInstance],
    kept: set[PrincipalDay],
    first: date,
    last: date,
) -> ScenarioScore:
    labelled_days = caught_days = detected = 0
    for instance in instances:
        days = {(instance.principal, day) for day in instance.days if first <= day <= last}
        caught = len(days & kept)
        labelled_days += len(days)
        caught_days += caught
        detected += caught > 0
    return ScenarioScore(
        kind=kind,
        instances=len(instances),
        detected_instances=detected,
        labelled_days=labelled_days,
        caught_days=caught_days,
        precision=caught_days / len(kept) if kept else 0.0,
    )


def evaluate_dataset(
    dataset: Dataset, alerts: Iterable[Alert], *, rate: float = DEFAULT_BUDGET_RATE
) -> Evaluation:
    """Score ``alerts`` on ``dataset``'s scored window, budgeted on its active principal-days."""
    first, last = dataset.scored_days
    return evaluate(
        alerts=alerts,
        scenarios=dataset.scenarios,
        principal_days=len(active_principal_days(dataset.entries, first, last)),
        first=first,
        last=last,
        rate=rate,
    )
