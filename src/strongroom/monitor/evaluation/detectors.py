"""The adapter between the monitor's detectors and the evaluation: findings in, alerts out.

A finding alerts its principal on every UTC day its backing entries fall on (the days of its
window when it names none): those are the principal-days it points an analyst at, so a finding
over three weeks of reads costs, and may earn, three weeks of the budget.

Findings on one principal-day merge into one alert: the highest severity counts; within a
severity, a principal-day flagged by more detectors ranks first, then the one with the larger
magnitude: the observed value over its baseline when both are numbers, else a tenth of the
backing entries that fell on that day (so a hundred entries weigh like ten times the baseline).
Both are squashed into [0, 1), so corroboration always outranks magnitude. This ranking is the
adapter's, blind to the labels; the detectors' severities come first.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta

from strongroom.core.clock import ensure_utc
from strongroom.core.trail import AuditEntry
from strongroom.monitor.detectors import Detector, default_detectors, run_detectors
from strongroom.monitor.evaluation.models import Alert, Dataset
from strongroom.monitor.models import Finding, ScanContext

Scan = Callable[[Sequence[AuditEntry], ScanContext], Iterable[Finding]]
PrincipalDay = tuple[str, date]


def alerts_from_findings(findings: Iterable[Finding], entries: Sequence[AuditEntry]) -> list[Alert]:
    """One alert per principal-day that any finding points at, scored as the module says."""
    occurred_at = _occurred_at_by_seq(entries)
    by_day: dict[PrincipalDay, list[tuple[Finding, int]]] = defaultdict(list)
    for finding in findings:
        for day, evidence in evidence_days(finding, occurred_at).items():
            by_day[(finding.principal, day)].append((finding, evidence))
    alerts: list[Alert] = []
    for (principal, day), flagged in by_day.items():
        detectors = frozenset(finding.detector for finding, _ in flagged)
        magnitude = max(_magnitude(finding, evidence) for finding, evidence in flagged)
        severity = max(finding.severity.rank for finding, _ in flagged)
        score = len(detectors) + 1.0 - math.exp(-magnitude / 10.0)
        alerts.append(Alert(principal, day, severity, score, detectors))
    return alerts


def evidence_days(finding: Finding, occurred_at: Callable[[int], datetime | None]) -> Counter[date]:
    """The UTC days a finding points at, each with how many of its backing entries fell on it."""
    moments = [occurred_at(seq) for seq in finding.seqs]
    days = Counter(ensure_utc(moment).date() for moment in moments if moment is not None)
    if days:
        return days
    start, end = ensure_utc(finding.window_start), ensure_utc(finding.window_end)
    if end > start and end.time() == time():  # a window ending at midnight excludes that day
        end -= timedelta(microseconds=1)
    span = (end.date() - start.date()).days
    return Counter({start.date() + timedelta(days=offset): 0 for offset in range(span + 1)})


def _occurred_at_by_seq(entries: Sequence[AuditEntry]) -> Callable[[int], datetime | None]:
    # The generator numbers entries 1..n in order, so a seq is an index; anything else is looked up.
    if all(entry.seq == index for index, entry in enumerate(entries, start=1)):
        return lambda seq: entries[seq - 1].occurred_at if 0 < seq <= len(entries) else None
    table = {entry.seq: entry.occurred_at for entry in entries}
    return table.get


def _magnitude(finding: Finding, evidence: int) -> float:
    observed, baseline = finding.observed, finding.baseline
    if isinstance(observed, str) or isinstance(baseline, str):
        return evidence / 10.0
    return max(observed / baseline if baseline > 0 else observed, 0.0)


def scan_context(dataset: Dataset) -> ScanContext:
    """What a scan of ``dataset`` knows: each principal's role; findings from the scored days."""
    roles = {persona.label: persona.role for persona in dataset.personas}
    first, _ = dataset.scored_days
    return ScanContext(
        since=datetime.combine(first, time(), tzinfo=UTC),
        role_of=roles.get,
    )


def alerts_from_scan(scan: Scan, dataset: Dataset) -> list[Alert]:
    """Run ``scan`` (the registry's, or any detector's) over ``dataset``; adapt its findings."""
    return alerts_from_findings(scan(dataset.entries, scan_context(dataset)), dataset.entries)


def registry_scan(detectors: Sequence[Detector] | None = None) -> Scan:
    """The monitor's detectors (every registered one, built-in settings, unless given) as one
    scan: one pass of the log feeding them all, as ``strongroom monitor scan`` runs them."""
    chosen = list(detectors) if detectors is not None else default_detectors()
    return lambda entries, context: run_detectors(chosen, entries, context)
