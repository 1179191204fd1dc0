"""How much a principal reads: against their own past, against their role's peers, in bursts."""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter, defaultdict, deque
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from strongroom.core.params import param
from strongroom.core.trail import AuditEntry, Outcome
from strongroom.monitor.detectors.base import (
    ACTION_NAMES,
    READ_ACTIONS,
    Detector,
    DetectorRun,
    DetectorSettings,
    day_bounds,
    severity_param,
)
from strongroom.monitor.detectors.stats import DailyTally, RobustScore, robust_score
from strongroom.monitor.models import Finding, ScanContext


@dataclass(frozen=True, slots=True)
class VolumeSpikeSettings(DetectorSettings):
    severity: str = severity_param("high")
    threshold: float = param(6.0, "robust deviations above the median that fire", above=0)
    baseline_days: int = param(28, "trailing days the baseline is learned from", minimum=2)
    min_baseline_days: int = param(5, "active days needed in them for a baseline", minimum=1)
    min_records: int = param(50, "records a day below which nothing fires", minimum=0)
    actions: tuple[str, ...] = param(READ_ACTIONS, "audit actions counted", choices=ACTION_NAMES)


class VolumeSpikeDetector(Detector):
    """A principal's records read in a day, against the median and MAD of their active days."""

    name = "volume_spike"
    description = "records read in a day far above the principal's own median (robust z-score)"
    Settings = VolumeSpikeSettings
    settings: VolumeSpikeSettings

    def start(self, context: ScanContext) -> DetectorRun:
        return _VolumeSpikeRun(self, context)


class _VolumeSpikeRun(DetectorRun):
    def __init__(self, detector: VolumeSpikeDetector, context: ScanContext) -> None:
        self._detector, self._context = detector, context
        self._tally = DailyTally(detector.settings.actions)

    def feed(self, entries: Sequence[AuditEntry]) -> None:
        self._tally.feed(entries)

    def finish(self) -> list[Finding]:
        findings: list[Finding] = []
        for principal, per_day in self._tally.counts.items():
            days = sorted(per_day)
            for index, day in enumerate(days):
                finding = self._judge(principal, day, days[:index], per_day)
                if finding is not None:
                    findings.append(finding)
        return findings

    def _judge(
        self, principal: str, day: date, before: list[date], per_day: dict[date, int]
    ) -> Finding | None:
        settings = self._detector.settings
        observed = per_day[day]
        start, end = day_bounds(day)
        if observed < settings.min_records or not self._context.reports(end):
            return None
        first = bisect_left(before, day - timedelta(days=settings.baseline_days))
        history = [float(per_day[d]) for d in before[first:]]
        if len(history) < settings.min_baseline_days:
            return None
        score = robust_score(observed, history)
        if score.score < settings.threshold:
            return None
        return Finding(
            detector=self._detector.name,
            principal=principal,
            severity=self._detector.severity,
            signal="records_per_day",
            baseline=score.median,
            observed=observed,
            window_start=start,
            window_end=end,
            seqs=self._tally.seqs_between(principal, [day]),
            summary=(
                f"{principal} read {observed} records on {day.isoformat()}, {score.score:.1f} "
                f"robust deviations above their median of {score.median:g} a day over "
                f"{len(history)} active days before"
            ),
            details={"mad": score.mad, "score": round(score.score, 2), "days": len(history)},
        )


@dataclass(frozen=True, slots=True)
class PeerDeviationSettings(DetectorSettings):
    threshold: float = param(6.0, "robust deviations above the peers' median", above=0)
    window_days: int = param(7, "days summed for each principal", minimum=1)
    min_peers: int = param(3, "other active principals of the role needed", minimum=1)
    min_records: int = param(100, "records in the window below which nothing fires", minimum=0)
    actions: tuple[str, ...] = param(READ_ACTIONS, "audit actions counted", choices=ACTION_NAMES)


class PeerDeviationDetector(Detector):
    """Records read over a window, against the median of principals with the same role."""

    name = "peer_deviation"
    description = "records read over a window far above the median of the principal's role peers"
    Settings = PeerDeviationSettings
    settings: PeerDeviationSettings

    def start(self, context: ScanContext) -> DetectorRun:
        return _PeerDeviationRun(self, context)


class _PeerDeviationRun(DetectorRun):
    def __init__(self, detector: PeerDeviationDetector, context: ScanContext) -> None:
        self._detector, self._context = detector, context
        self._tally = DailyTally(detector.settings.actions)

    def feed(self, entries: Sequence[AuditEntry]) -> None:
        self._tally.feed(entries)

    def finish(self) -> list[Finding]:
        by_role: defaultdict[str, list[str]] = defaultdict(list)
        for principal in self._tally.counts:
            role = self._context.role_of(principal)
            if role is not None:
                by_role[role].append(principal)
        all_days = sorted({d for per_day in self._tally.counts.values() for d in per_day})
        findings: list[Finding] = []
        for role, members in sorted(by_role.items()):
            for day in all_days:
                if self._context.reports(day_bounds(day)[1]):
                    findings.extend(self._judge_day(role, members, day))
        return findings

    def _judge_day(self, role: str, members: list[str], day: date) -> list[Finding]:
        settings = self._detector.settings
        window = [day - timedelta(days=k) for k in range(settings.window_days - 1, -1, -1)]
        totals = {p: sum(self._tally.counts[p].get(d, 0) for d in window) for p in members}
        active = {p: total for p, total in totals.items() if total > 0}
        if len(active) < settings.min_peers + 1:
            return []
        findings: list[Finding] = []
        for principal, observed in active.items():
            if observed < settings.min_records or self._tally.counts[principal].get(day, 0) == 0:
                continue
            peers = [float(total) for p, total in active.items() if p != principal]
            score = robust_score(observed, peers)
            if score.score >= settings.threshold:
                findings.append(
                    self._finding(
                        principal,
                        role=role,
                        window=window,
                        observed=observed,
                        score=score,
                        peers=len(peers),
                    )
                )
        return findings

    def _finding(
        self,
        principal: str,
        *,
        role: str,
        window: list[date],
        observed: int,
        score: RobustScore,
        peers: int,
    ) -> Finding:
        start, end = day_bounds(window[0])[0], day_bounds(window[-1])[1]
        return Finding(
            detector=self._detector.name,
            principal=principal,
            severity=self._detector.severity,
            signal=f"records_vs_role:{role}",
            baseline=score.median,
            observed=observed,
            window_start=start,
            window_end=end,
            seqs=self._tally.seqs_between(principal, window),
            summary=(
                f"{principal} read {observed} records in the {len(window)} days to "
                f"{window[-1].isoformat()}, {score.score:.1f} robust deviations above the median "
                f"of {score.median:g} among {peers} other {role} principals"
            ),
            details={"role": role, "peers": peers, "score": round(score.score, 2)},
        )


@dataclass(frozen=True, slots=True)
class BulkReadSettings(DetectorSettings):
    severity: str = severity_param("high")
    threshold: int = param(200, "distinct customers in the window that fire", minimum=1)
    window_minutes: float = param(10.0, "length of the sliding window", above=0)
    actions: tuple[str, ...] = param(
        ("customer.read", "customer.search"), "audit actions counted", choices=ACTION_NAMES
    )


class BulkReadDetector(Detector):
    """Many distinct customers read by one principal within a few minutes: a harvest or export."""

    name = "bulk_read"
    description = "many distinct customers read or exported by one principal in a short window"
    Settings = BulkReadSettings
    settings: BulkReadSettings

    def start(self, context: ScanContext) -> DetectorRun:
        return _BulkReadRun(self, context)


@dataclass(slots=True)
class _Window:
    entries: deque[tuple[datetime, int, tuple[str, ...]]]
    customers: Counter[str]


class _BulkReadRun(DetectorRun):
    def __init__(self, detector: BulkReadDetector, context: ScanContext) -> None:
        self._detector, self._context = detector, context
        self._actions = frozenset(detector.settings.actions)
        self._span = timedelta(minutes=detector.settings.window_minutes)
        self._windows: dict[str, _Window] = {}
        self._findings: list[Finding] = []

    def feed(self, entries: Sequence[AuditEntry]) -> None:
        threshold = self._detector.settings.threshold
        for entry in entries:
            draft = entry.draft
            if (
                draft.action.stored_name not in self._actions
                or draft.outcome is not Outcome.SUCCESS
            ):
                continue
            window = self._windows.get(draft.actor)
            if window is None:
                window = self._windows[draft.actor] = _Window(deque(), Counter())
            window.entries.append((entry.occurred_at, entry.seq, draft.resource_ids))
            window.customers.update(draft.resource_ids)
            _expire(window, entry.occurred_at - self._span)
            if len(window.customers) >= threshold:
                self._report(draft.actor, window)
                window.entries.clear()
                window.customers.clear()

    def _report(self, principal: str, window: _Window) -> None:
        start, end = window.entries[0][0], window.entries[-1][0]
        if not self._context.reports(end):
            return
        settings = self._detector.settings
        distinct = len(window.customers)
        self._findings.append(
            Finding(
                detector=self._detector.name,
                principal=principal,
                severity=self._detector.severity,
                signal="distinct_customers_in_window",
                baseline=f"fewer than {settings.threshold} in {settings.window_minutes:g} minutes",
                observed=distinct,
                window_start=start,
                window_end=end,
                seqs=tuple(seq for _, seq, _ in window.entries),
                summary=(
                    f"{principal} read {distinct} distinct customers within "
                    f"{(end - start).total_seconds() / 60:.1f} minutes (threshold "
                    f"{settings.threshold} in {settings.window_minutes:g})"
                ),
                details={"threshold": settings.threshold, "entries": len(window.entries)},
            )
        )

    def finish(self) -> list[Finding]:
        return self._findings


def _expire(window: _Window, oldest: datetime) -> None:
    while window.entries and window.entries[0][0] < oldest:
        _, _, ids = window.entries.popleft()
        window.customers.subtract(ids)
        for customer in ids:
            if window.customers[customer] <= 0:
                del window.customers[customer]
