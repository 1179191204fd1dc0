"""What the detectors read besides the audit log, and what they find."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from strongroom.core.clock import ensure_utc
from strongroom.core.models import JsonObject
from strongroom.core.monitoring import Severity

Measure = float | str  # a number, or words when the baseline is a rule or a set


def _no_roles(principal: str) -> str | None:
    return None


@dataclass(frozen=True, slots=True)
class ScanContext:
    """What a scan knows beyond the entries: what to report, the canaries, principals' roles.

    Detectors learn from every entry they are given; they report only findings whose window
    ends at or after ``since`` (all when None).
    """

    since: datetime | None = None
    honeytoken_customers: frozenset[str] = frozenset()  # canary customer ids
    honeytoken_cards: frozenset[str] = frozenset()  # canary card tokens
    role_of: Callable[[str], str | None] = field(default=_no_roles)  # audit actor label -> role

    def reports(self, window_end: datetime) -> bool:
        """Whether a finding whose window ends then falls in what this scan reports."""
        return self.since is None or ensure_utc(window_end) >= ensure_utc(self.since)


@dataclass(frozen=True, slots=True)
class Finding:
    """One anomaly, explaining itself: what was measured, what is usual, what was seen, when.

    ``signal`` names what was measured (e.g. ``records_per_day``, ``new_ip:10.0.0.7``); with the
    detector and principal it makes the fingerprint under which repeats become one alert.
    """

    detector: str
    principal: str  # the audit actor label, e.g. ``staff:alice``
    severity: Severity
    signal: str
    baseline: Measure
    observed: Measure
    window_start: datetime
    window_end: datetime
    seqs: tuple[int, ...]  # the audit entries that back it, ascending
    summary: str  # one sentence a person can act on
    details: Mapping[str, float | int | str] = field(default_factory=dict)

    @property
    def fingerprint(self) -> str:
        """SHA-256 of detector, principal and signal: the same anomaly gets the same one."""
        return fingerprint_of(self.detector, self.principal, self.signal)

    @property
    def last_seq(self) -> int:
        return max(self.seqs, default=0)

    def explanation(self, *, max_seqs: int = 200) -> JsonObject:
        """The finding as JSON, the backing entries cut to the last ``max_seqs``."""
        return {
            "detector": self.detector,
            "principal": self.principal,
            "severity": self.severity.value,
            "signal": self.signal,
            "baseline": self.baseline,
            "observed": self.observed,
            "window_start": _iso(self.window_start),
            "window_end": _iso(self.window_end),
            "seqs": list(self.seqs[-max_seqs:]),
            "entries": len(self.seqs),
            "summary": self.summary,
            "details": dict(self.details),
        }


def fingerprint_of(detector: str, principal: str, signal: str) -> str:
    """The dedupe key of a (detector, principal, signal)."""
    parts = "\x00".join((detector, principal, signal)).encode("utf-8")
    return hashlib.sha256(parts).hexdigest()


def _iso(moment: datetime) -> str:
    return ensure_utc(moment).strftime("%Y-%m-%dT%H:%M:%SZ")
