"""Attacks that announce themselves: bursts of failures, injection-shaped input, canary reads."""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from strongroom.core.monitoring import Severity
from strongroom.core.params import param
from strongroom.core.trail import AuditAction, AuditDraft, AuditEntry, Outcome
from strongroom.monitor.detectors.base import (
    ACTION_NAMES,
    READ_ACTIONS,
    Detector,
    DetectorRun,
    DetectorSettings,
    severity_param,
)
from strongroom.monitor.models import Finding, ScanContext

_FAILED = frozenset({Outcome.DENIED, Outcome.FAILED})


@dataclass(frozen=True, slots=True)
class FailureBurstSettings(DetectorSettings):
    severity: str = severity_param("high")
    threshold: int = param(10, "failures in the window that fire", minimum=1)
    window_minutes: float = param(5.0, "length of the sliding window", above=0)
    actions: tuple[str, ...] = param(
        ("auth.failed", "access.denied", "request.refused", "card.detokenized"),
        "audit actions whose denied or failed entries count",
        choices=ACTION_NAMES,
    )


class FailureBurstDetector(Detector):
    """Many refused credentials, policy denials or failed checks from one place in minutes.

    Grouped by client IP when the entries carry one, else by actor: a password spray from one
    address, a stolen token probing what it may do, someone guessing card tokens.
    """

    name = "failure_burst"
    description = "a burst of failed logins, denials or failed verifications from one IP or actor"
    Settings = FailureBurstSettings
    settings: FailureBurstSettings

    def start(self, context: ScanContext) -> DetectorRun:
        return _FailureBurstRun(self, context)


class _FailureBurstRun(DetectorRun):
    def __init__(self, detector: FailureBurstDetector, context: ScanContext) -> None:
        self._detector, self._context = detector, context
        self._actions = frozenset(detector.settings.actions)
        self._span = timedelta(minutes=detector.settings.window_minutes)
        self._windows: defaultdict[str, deque[AuditEntry]] = defaultdict(deque)
        self._findings: list[Finding] = []

    def feed(self, entries: Sequence[AuditEntry]) -> None:
        threshold = self._detector.settings.threshold
        for entry in entries:
            draft = entry.draft
            if draft.outcome not in _FAILED or draft.action.stored_name not in self._actions:
                continue
            ip = draft.origin.ip if draft.origin is not None else None
            key = f"ip:{ip}" if ip else f"actor:{draft.actor}"
            window = self._windows[key]
            window.append(entry)
            while window and window[0].occurred_at < entry.occurred_at - self._span:
                window.popleft()
            if len(window) >= threshold:
                self._report(key, list(window))
                window.clear()

    def _report(self, key: str, burst: list[AuditEntry]) -> None:
        start, end = burst[0].occurred_at, burst[-1].occurred_at
        if not self._context.reports(end):
            return
        settings = self._detector.settings
        actions = sorted({entry.draft.action.stored_name for entry in burst})
        principal = burst[-1].draft.actor
        self._findings.append(
            Finding(
                detector=self._detector.name,
                principal=principal,
                severity=self._detector.severity,
                signal=f"failures_from:{key}",
                baseline=f"fewer than {settings.threshold} in {settings.window_minutes:g} minutes",
                observed=len(burst),
                window_start=start,
                window_end=end,
                seqs=tuple(entry.seq for entry in burst),
                summary=(
                    f"{len(burst)} failed or denied requests ({', '.join(actions)}) from "
                    f"{key.replace(':', ' ', 1)} within "
                    f"{(end - start).total_seconds() / 60:.1f} minutes"
                ),
                details={"source": key, "actions": ", ".join(actions)},
            )
        )

    def finish(self) -> list[Finding]:
        return self._findings


@dataclass(frozen=True, slots=True)
class SuspiciousInputSettings(DetectorSettings):
    threshold: int = param(1, "suspicious inputs by one actor in a day that fire", minimum=1)


class SuspiciousInputDetector(Detector):
    """Requests carrying SQL-injection-, script- or traversal-shaped values, per actor and day."""

    name = "suspicious_input"
    description = "requests whose ids or query values are shaped like an injection attack"
    Settings = SuspiciousInputSettings
    settings: SuspiciousInputSettings

    def start(self, context: ScanContext) -> DetectorRun:
        return _SuspiciousInputRun(self, context)


class _SuspiciousInputRun(DetectorRun):
    def __init__(self, detector: SuspiciousInputDetector, context: ScanContext) -> None:
        self._detector, self._context = detector, context
        self._days: defaultdict[tuple[str, date], list[AuditEntry]] = defaultdict(list)

    def feed(self, entries: Sequence[AuditEntry]) -> None:
        for entry in entries:
            if entry.draft.action is AuditAction.SUSPICIOUS_INPUT:
                self._days[(entry.draft.actor, entry.occurred_at.date())].append(entry)

    def finish(self) -> list[Finding]:
        findings: list[Finding] = []
        for (principal, day), seen in self._days.items():
            end = seen[-1].occurred_at
            if len(seen) < self._detector.settings.threshold or not self._context.reports(end):
                continue
            kinds = sorted({str(e.draft.detail.get("kind", "unknown")) for e in seen})
            fields = sorted({str(e.draft.detail.get("field", "unknown")) for e in seen})
            findings.append(
                Finding(
                    detector=self._detector.name,
                    principal=principal,
                    severity=self._detector.severity,
                    signal="suspicious_input",
                    baseline=0.0,
                    observed=len(seen),
                    window_start=seen[0].occurred_at,
                    window_end=end,
                    seqs=tuple(e.seq for e in seen),
                    summary=(
                        f"{principal} sent {len(seen)} injection-shaped values "
                        f"({', '.join(kinds)}) in {', '.join(fields)} on {day.isoformat()}"
                    ),
                    details={"kinds": ", ".join(kinds), "fields": ", ".join(fields)},
                )
            )
        return findings


@dataclass(frozen=True, slots=True)
class HoneytokenAccessSettings(DetectorSettings):
    severity: str = severity_param("critical")
    actions: tuple[str, ...] = param(
        (*READ_ACTIONS, "customers.exported"), "audit actions that read", choices=ACTION_NAMES
    )


class HoneytokenAccessDetector(Detector):
    """Any read of a canary customer or detokenisation of a canary card: never legitimate."""

    name = "honeytoken_access"
    description = "a read of a honeytoken (canary customer or card): always an alert"
    Settings = HoneytokenAccessSettings
    settings: HoneytokenAccessSettings

    def start(self, context: ScanContext) -> DetectorRun:
        return _HoneytokenRun(self, context)

    def canaries_in(
        self, draft: AuditDraft, customers: frozenset[str], cards: frozenset[str]
    ) -> list[str]:
        """The honeytokens ``draft`` touched, if it is a read."""
        if draft.action.stored_name not in self.settings.actions:
            return []
        return [rid for rid in draft.resource_ids if rid in customers or rid in cards]

    def finding(self, draft: AuditDraft, canary: str, seq: int | None, when: datetime) -> Finding:
        """The finding for one read of one canary: the scan and the live watch both make it."""
        kind = "card" if draft.action is AuditAction.CARD_DETOKENIZED else "customer"
        return Finding(
            detector=self.name,
            principal=draft.actor,
            severity=Severity(self.settings.severity),
            signal=f"honeytoken:{canary}",
            baseline="no reads: a honeytoken belongs to no real customer",
            observed=draft.action.stored_name,
            window_start=when,
            window_end=when,
            seqs=() if seq is None else (seq,),
            summary=(
                f"{draft.actor} read honeytoken {kind} {canary} ({draft.action.stored_name}, "
                f"purpose {draft.purpose or 'none'}): treat their credentials as compromised"
            ),
            details={"kind": kind, "purpose": draft.purpose or ""},
        )


class _HoneytokenRun(DetectorRun):
    def __init__(self, detector: HoneytokenAccessDetector, context: ScanContext) -> None:
        self._detector, self._context = detector, context
        self._findings: list[Finding] = []

    def feed(self, entries: Sequence[AuditEntry]) -> None:
        customers = self._context.honeytoken_customers
        cards = self._context.honeytoken_cards
        if not customers and not cards:
            return
        for entry in entries:
            for canary in self._detector.canaries_in(entry.draft, customers, cards):
                if self._context.reports(entry.occurred_at):
                    finding = self._detector.finding(
                        entry.draft, canary, entry.seq, entry.occurred_at
                    )
                    self._findings.append(finding)

    def finish(self) -> list[Finding]:
        return self._findings
