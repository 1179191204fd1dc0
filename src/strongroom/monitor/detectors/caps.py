"""A principal that hit its hourly volume cap: the policy already refused the excess (429), and
the security team should know someone tried to read or export more than their role allows."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from strongroom.core.params import param
from strongroom.core.trail import AuditAction, AuditEntry
from strongroom.monitor.detectors.base import (
    Detector,
    DetectorRun,
    DetectorSettings,
    severity_param,
)
from strongroom.monitor.models import Finding, ScanContext


@dataclass(frozen=True, slots=True)
class VolumeCapSettings(DetectorSettings):
    severity: str = severity_param("high")
    threshold: int = param(1, "refusals at the cap in one hour that fire", minimum=1)


class VolumeCapDetector(Detector):
    """Requests refused at the hourly read/export cap of the principal's role, per hour."""

    name = "volume_cap"
    description = "a principal was refused for reading or exporting beyond its hourly cap"
    Settings = VolumeCapSettings
    settings: VolumeCapSettings

    def start(self, context: ScanContext) -> DetectorRun:
        return _VolumeCapRun(self, context)


class _VolumeCapRun(DetectorRun):
    def __init__(self, detector: VolumeCapDetector, context: ScanContext) -> None:
        self._detector, self._context = detector, context
        self._hours: defaultdict[tuple[str, datetime], list[AuditEntry]] = defaultdict(list)

    def feed(self, entries: Sequence[AuditEntry]) -> None:
        for entry in entries:
            if entry.draft.action is AuditAction.VOLUME_EXCEEDED:
                hour = entry.occurred_at.replace(minute=0, second=0, microsecond=0)
                self._hours[(entry.draft.actor, hour)].append(entry)

    def finish(self) -> list[Finding]:
        return [
            self._finding(principal, hour, seen)
            for (principal, hour), seen in self._hours.items()
            if len(seen) >= self._detector.settings.threshold
            and self._context.reports(seen[-1].occurred_at)
        ]

    def _finding(self, principal: str, hour: datetime, seen: list[AuditEntry]) -> Finding:
        limit = seen[-1].draft.detail.get("limit_per_hour", "?")
        return Finding(
            detector=self._detector.name,
            principal=principal,
            severity=self._detector.severity,
            signal=f"volume_cap:{hour.isoformat()}",
            baseline=f"at most {limit} records an hour",
            observed=len(seen),
            window_start=seen[0].occurred_at,
            window_end=seen[-1].occurred_at,
            seqs=tuple(entry.seq for entry in seen),
            summary=(
                f"{principal} was refused {len(seen)} time(s) at the hourly cap of {limit} "
                f"records in the hour from {hour.isoformat()}"
            ),
            details={"limit_per_hour": str(limit)},
        )
