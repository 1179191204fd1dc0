"""The base of every detector: a name, a description, typed settings, and one pass over entries.

A detector is a small class (Presidio's recognizers are the model): class-level ``name`` and
``description``, a ``Settings`` dataclass of ``param`` fields, and ``start`` returning a run that
is fed the audit log in sequence order, batch by batch, and then asked for its findings. One
pass over the log feeds every enabled detector (``run_detectors``).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import islice
from typing import ClassVar

from strongroom.core.monitoring import Severity
from strongroom.core.params import ParamInfo, describe_params, param, parse_params
from strongroom.core.trail import AuditAction, AuditEntry
from strongroom.monitor.models import Finding, ScanContext

SEVERITIES = tuple(s.value for s in Severity)
ACTION_NAMES = tuple(a.stored_name for a in AuditAction)
# Acts that hand customer data (or a card number) to someone: what volume and habits are about.
READ_ACTIONS = ("customer.read", "customer.search", "card.detokenized")
BATCH_SIZE = 5000


def severity_param(default: str) -> str:
    """The ``severity`` setting, with a detector's own default."""
    return param(default, "the severity of its alerts", choices=SEVERITIES)


@dataclass(frozen=True, slots=True)
class DetectorSettings:
    """Settings every detector has; a detector's own ``Settings`` subclass adds the rest."""

    enabled: bool = param(True, "whether the detector runs at all")
    severity: str = severity_param("medium")


class DetectorRun(ABC):
    """One pass of one detector: fed entries in sequence order, then asked for findings."""

    @abstractmethod
    def feed(self, entries: Sequence[AuditEntry]) -> None:
        """Learn from (and look for anomalies in) the next entries of the log."""

    @abstractmethod
    def finish(self) -> list[Finding]:
        """Everything found, once every entry was fed."""


class Detector(ABC):
    """A strategy that reads the audit log and reports anomalies as findings."""

    name: ClassVar[str]
    description: ClassVar[str]
    Settings: ClassVar[type[DetectorSettings]] = DetectorSettings
    settings: DetectorSettings

    def __init__(self, settings: DetectorSettings | None = None) -> None:
        chosen = settings if settings is not None else self.Settings()
        if type(chosen) is not self.Settings:
            raise TypeError(f"{self.name} takes {self.Settings.__name__}, not {type(chosen)}")
        self.settings = chosen

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.settings!r})"

    @classmethod
    def from_table(cls, table: Mapping[str, object], *, where: str) -> Detector:
        """The detector configured by one ``[detectors.NAME]`` table; ConfigurationError if bad."""
        return cls(parse_params(cls.Settings, table, where=where))

    @classmethod
    def parameters(cls) -> list[ParamInfo]:
        """The settings this detector takes, documented."""
        return describe_params(cls.Settings)

    @property
    def severity(self) -> Severity:
        return Severity(self.settings.severity)

    @abstractmethod
    def start(self, context: ScanContext) -> DetectorRun:
        """A fresh run over the log for ``context``."""

    def scan(self, entries: Iterable[AuditEntry], context: ScanContext) -> list[Finding]:
        """Every finding of this detector in ``entries`` (in sequence order)."""
        return run_detectors([self], entries, context)


def run_detectors(
    detectors: Sequence[Detector],
    entries: Iterable[AuditEntry],
    context: ScanContext,
    *,
    batch_size: int = BATCH_SIZE,
) -> list[Finding]:
    """One pass over ``entries`` feeding every enabled detector; their findings, by window."""
    runs = [detector.start(context) for detector in detectors if detector.settings.enabled]
    iterator = iter(entries)
    while batch := list(islice(iterator, batch_size)):
        for run in runs:
            run.feed(batch)
    findings = [finding for run in runs for finding in run.finish()]
    findings.sort(key=lambda f: (f.window_end, f.last_seq, f.detector, f.principal, f.signal))
    return findings


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """The UTC start and end of ``day``."""
    start = datetime.combine(day, time(), tzinfo=UTC)
    return start, start + timedelta(days=1)


def records_in(entry: AuditEntry) -> int:
    """How many records an act handed over: its resource ids, or one card."""
    return len(entry.draft.resource_ids)
