"""A principal's habits, learned from their own past: hours, places, tools, kinds of data."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from strongroom.core.params import param
from strongroom.core.schema import DataClass
from strongroom.core.trail import AuditEntry, Outcome
from strongroom.monitor.detectors.base import (
    ACTION_NAMES,
    READ_ACTIONS,
    Detector,
    DetectorRun,
    DetectorSettings,
    severity_param,
)
from strongroom.monitor.models import Finding, ScanContext

HOURS = 24
MAX_SEQS = 100  # entries kept as evidence of one novelty
_VERSION = re.compile(r"\d+(?:[._]\d+)*")


@dataclass(frozen=True, slots=True)
class OffHoursSettings(DetectorSettings):
    min_share: float = param(
        0.02, "share of earlier accesses within an hour of it below which it is unusual", above=0
    )
    min_history: int = param(50, "earlier accesses needed before hours are judged", minimum=1)
    min_history_days: int = param(5, "distinct earlier days needed", minimum=1)
    actions: tuple[str, ...] = param(READ_ACTIONS, "audit actions counted", choices=ACTION_NAMES)


class OffHoursDetector(Detector):
    """Accesses at an hour (UTC) the principal has seldom worked before, one finding a day."""

    name = "off_hours"
    description = "access at an hour of the day that is unusual for this principal (UTC)"
    Settings = OffHoursSettings
    settings: OffHoursSettings

    def start(self, context: ScanContext) -> DetectorRun:
        return _OffHoursRun(self, context)


@dataclass(slots=True)
class _Habit:
    """Accesses by hour on earlier days; today's are added when the day is over, so that a
    night of many accesses is judged against the days before it, not against itself."""

    hours: list[int] = field(default_factory=lambda: [0] * HOURS)
    total: int = 0
    days: int = 0
    day: date | None = None
    today: list[int] = field(default_factory=list)

    def roll(self, day: date) -> None:
        if self.day == day:
            return
        for hour in self.today:
            self.hours[hour] += 1
        self.total += len(self.today)
        self.days += 1 if self.today else 0
        self.day, self.today = day, []


@dataclass(slots=True)
class _OffHoursDay:
    first_hour: int
    share: float
    usual: str
    history: int
    seqs: list[int] = field(default_factory=list)
    times: list[datetime] = field(default_factory=list)


class _OffHoursRun(DetectorRun):
    def __init__(self, detector: OffHoursDetector, context: ScanContext) -> None:
        self._detector, self._context = detector, context
        self._actions = frozenset(detector.settings.actions)
        self._habits: defaultdict[str, _Habit] = defaultdict(_Habit)
        self._hits: dict[tuple[str, date], _OffHoursDay] = {}

    def feed(self, entries: Sequence[AuditEntry]) -> None:
        settings = self._detector.settings
        for entry in entries:
            draft = entry.draft
            if draft.action.stored_name not in self._actions:
                continue
            habit, when = self._habits[draft.actor], entry.occurred_at
            hour, day = when.hour, when.date()
            habit.roll(day)
            if habit.total >= settings.min_history and habit.days >= settings.min_history_days:
                near = sum(habit.hours[(hour + k) % HOURS] for k in (-1, 0, 1))
                share = near / habit.total
                if share < settings.min_share:
                    self._hit(draft.actor, day, habit, hour, share).seqs.append(entry.seq)
                    self._hits[(draft.actor, day)].times.append(when)
            habit.today.append(hour)

    def _hit(self, actor: str, day: date, habit: _Habit, hour: int, share: float) -> _OffHoursDay:
        found = self._hits.get((actor, day))
        if found is None:
            usual = _usual_hours(habit.hours, habit.total, self._detector.settings.min_share)
            found = self._hits[(actor, day)] = _OffHoursDay(hour, share, usual, habit.total)
        return found

    def finish(self) -> list[Finding]:
        findings: list[Finding] = []
        for (principal, day), hit in self._hits.items():
            if not self._context.reports(hit.times[-1]):
                continue
            findings.append(
                Finding(
                    detector=self._detector.name,
                    principal=principal,
                    severity=self._detector.severity,
                    signal="hour_of_day",
                    baseline=hit.usual,
                    observed=f"{hit.first_hour:02d}:00 UTC",
                    window_start=hit.times[0],
                    window_end=hit.times[-1],
                    seqs=tuple(hit.seqs),
                    summary=(
                        f"{principal} made {len(hit.seqs)} accesses on {day.isoformat()} from "
                        f"{hit.first_hour:02d}:00 UTC, an hour when {hit.share:.1%} of their "
                        f"{hit.history} earlier accesses happened (usually {hit.usual})"
                    ),
                    details={"share": round(hit.share, 4), "accesses": len(hit.seqs)},
                )
            )
        return findings


def _usual_hours(hours: list[int], total: int, min_share: float) -> str:
    usual = [hour for hour in range(HOURS) if hours[hour] / total >= min_share]
    return ", ".join(f"{hour:02d}" for hour in usual) + " h UTC" if usual else "no usual hours"


@dataclass(slots=True)
class _Novelty:
    """The first time a principal showed something new, and what followed within a day."""

    principal: str
    what: str
    value: str
    known: int
    first: datetime
    seqs: list[int]
    last: datetime


class NoveltyRun(DetectorRun):
    """Findings for the first appearance of a value after a principal has a history.

    ``values`` says which (kind, value) pairs an entry shows; ``min_history`` entries with
    values must come before anything counts as new.
    """

    def __init__(
        self,
        detector: Detector,
        context: ScanContext,
        values: Callable[[AuditEntry], list[tuple[str, str]]],
        min_history: int,
    ) -> None:
        self._detector, self._context, self._values = detector, context, values
        self._min_history = min_history
        self._seen: defaultdict[str, set[tuple[str, str]]] = defaultdict(set)
        self._history: defaultdict[str, int] = defaultdict(int)
        self._known: defaultdict[tuple[str, str], int] = defaultdict(int)  # values of each kind
        self._open: dict[tuple[str, str, str], _Novelty] = {}
        self._done: list[_Novelty] = []

    def feed(self, entries: Sequence[AuditEntry]) -> None:
        for entry in entries:
            shown = self._values(entry)
            if not shown:
                continue
            actor, seen = entry.draft.actor, self._seen[entry.draft.actor]
            for what, value in shown:
                self._follow(actor, what, value, entry)
                if (what, value) not in seen:
                    if self._history[actor] >= self._min_history:
                        self._start(actor, what, value, self._known[(actor, what)], entry)
                    seen.add((what, value))
                    self._known[(actor, what)] += 1
            self._history[actor] += 1

    def _start(self, actor: str, what: str, value: str, known: int, entry: AuditEntry) -> None:
        when = entry.occurred_at
        novelty = _Novelty(actor, what, value, known, when, [entry.seq], when)
        self._open[(actor, what, value)] = novelty
        self._done.append(novelty)

    def _follow(self, actor: str, what: str, value: str, entry: AuditEntry) -> None:
        novelty = self._open.get((actor, what, value))
        if novelty is None:
            return
        if entry.occurred_at - novelty.first > timedelta(days=1) or len(novelty.seqs) >= MAX_SEQS:
            del self._open[(actor, what, value)]
            return
        novelty.seqs.append(entry.seq)
        novelty.last = entry.occurred_at

    def finish(self) -> list[Finding]:
        return [
            Finding(
                detector=self._detector.name,
                principal=n.principal,
                severity=self._detector.severity,
                signal=f"new_{n.what}:{n.value}",
                baseline=float(n.known),
                observed=n.value,
                window_start=n.first,
                window_end=n.last,
                seqs=tuple(n.seqs),
                summary=(
                    f"{n.principal} used a {n.what.replace('_', ' ')} never seen for them before "
                    f"({n.value!r}) on {n.first.date().isoformat()}, after {n.known} known ones"
                ),
                details={"kind": n.what, "known": n.known, "follow_ups": len(n.seqs) - 1},
            )
            for n in self._done
            if self._context.reports(n.last)
        ]


@dataclass(frozen=True, slots=True)
class FirstSeenOriginSettings(DetectorSettings):
    min_history: int = param(20, "earlier entries with an origin needed first", minimum=0)
    ip: bool = param(True, "watch client IP addresses")
    user_agent: bool = param(True, "watch user agents")
    ignore_versions: bool = param(True, "compare user agents without version numbers")


class FirstSeenOriginDetector(Detector):
    """A principal (staff, source or vendor key) acting from a new IP address or user agent."""

    name = "first_seen_origin"
    description = "a principal acting from an IP address or user agent never seen for them"
    Settings = FirstSeenOriginSettings
    settings: FirstSeenOriginSettings

    def start(self, context: ScanContext) -> DetectorRun:
        return NoveltyRun(self, context, self._values, self.settings.min_history)

    def _values(self, entry: AuditEntry) -> list[tuple[str, str]]:
        origin, settings = entry.draft.origin, self.settings
        if origin is None or entry.draft.actor.startswith("anonymous:"):
            return []
        shown: list[tuple[str, str]] = []
        if settings.ip and origin.ip:
            shown.append(("ip", origin.ip))
        if settings.user_agent and origin.user_agent:
            agent = origin.user_agent[:200]
            shown.append(
                ("user_agent", _VERSION.sub("*", agent) if settings.ignore_versions else agent)
            )
        return shown


@dataclass(frozen=True, slots=True)
class FirstDataClassSettings(DetectorSettings):
    severity: str = severity_param("high")
    min_history: int = param(20, "earlier reads needed first", minimum=0)
    classes: tuple[str, ...] = param(
        tuple(c.value for c in DataClass),
        "data classes watched",
        choices=tuple(c.value for c in DataClass),
    )
    actions: tuple[str, ...] = param(READ_ACTIONS, "audit actions counted", choices=ACTION_NAMES)


class FirstDataClassDetector(Detector):
    """A principal reading a class of data (PII, payment, ...) they have never read before."""

    name = "first_data_class"
    description = "a principal reading a data class for the first time"
    Settings = FirstDataClassSettings
    settings: FirstDataClassSettings

    def start(self, context: ScanContext) -> DetectorRun:
        return NoveltyRun(self, context, self._values, self.settings.min_history)

    def _values(self, entry: AuditEntry) -> list[tuple[str, str]]:
        draft, settings = entry.draft, self.settings
        if draft.action.stored_name not in settings.actions or draft.outcome is not Outcome.SUCCESS:
            return []
        return [("data_class", c) for c in draft.data_classes if c in settings.classes]
