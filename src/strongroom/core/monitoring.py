"""Monitoring, as stored (alerts, honeytokens) and the ports the monitor works through."""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from strongroom.core.models import CustomerId, JsonObject
from strongroom.core.trail import AuditDraft


class Severity(StrEnum):
    """How urgent an alert is, lowest first."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return list(Severity).index(self)


class AlertStatus(StrEnum):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    CLOSED = "closed"


@dataclass(frozen=True, slots=True)
class Alert:
    """One anomaly as staff handle it; repeats of the same finding raise ``count``.

    ``fingerprint`` is a hash of detector, principal and signal: findings with the same one
    within the dedupe window are the same alert. ``last_seq`` is the newest audit entry counted
    (None when the alert was raised at once by the honeytoken watch, before any scan).
    """

    id: str
    fingerprint: str
    detector: str
    severity: Severity
    status: AlertStatus
    principal: str
    signal: str
    summary: str
    explanation: JsonObject
    first_seen: datetime
    last_seen: datetime
    count: int
    last_seq: int | None = None
    deliveries: dict[str, str] = field(default_factory=dict)  # sink name -> "sent" or the error
    note: str | None = None  # why it was acknowledged or closed
    handled_by: str | None = None  # who acknowledged or closed it (an audit actor label)
    handled_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Honeytoken:
    """A canary customer: any read of it, or of its card, is a critical alert.

    Honeytokens are left out of analytics and exports: this record is the flag.
    """

    customer_id: CustomerId
    planted_at: datetime
    card_token: str | None = None


class AlertRepository(Protocol):
    """Alerts raised by the monitor, found again by id or by fingerprint for deduplication."""

    def add(self, alerts: Sequence[Alert]) -> None:
        """Store new alerts; ConflictError if an id exists."""
        ...

    def update(self, alerts: Sequence[Alert]) -> None:
        """Replace the stored alerts with these (same ids); NotFoundError for an unknown id."""
        ...

    def get(self, alert_id: str) -> Alert | None: ...

    def unclosed_by_fingerprint(self, fingerprints: Sequence[str]) -> dict[str, Alert]:
        """For each fingerprint, its alert that is not closed and was seen last, if any."""
        ...

    def list(self, *, status: AlertStatus | None = None, limit: int = 100) -> builtins.list[Alert]:
        """Alerts, newest ``last_seen`` first, optionally of one status only."""
        ...


class HoneytokenRepository(Protocol):
    """The canary customers and cards: the flag that keeps them out of analytics."""

    def add(self, honeytokens: Sequence[Honeytoken]) -> None:
        """Record canaries; ConflictError if a customer or card token is recorded already."""
        ...

    def all(self) -> builtins.list[Honeytoken]:
        """Every honeytoken, oldest first."""
        ...


class TrackingFeed(Protocol):
    """Tracking calls made by Strongroom itself, stored through the real ingest path."""

    def ingest_calls(self, calls: Sequence[JsonObject]) -> None:
        """Validate and store ``calls`` (Segment format) under Strongroom's internal source."""
        ...


class HoneytokenWatch(Protocol):
    """Told of every read of customers or cards as it commits; raises the alarm on a canary."""

    def observe(self, draft: AuditDraft, seq: int) -> None:
        """``draft`` was recorded as audit entry ``seq``; never raises, never slows the read."""
        ...


class AlertNotifier(Protocol):
    """A sink outside Strongroom that alerts are pushed to: a webhook, syslog, email."""

    @property
    def name(self) -> str:
        """The sink's name in messages and in an alert's deliveries (no credentials)."""
        ...

    @property
    def min_severity(self) -> Severity:
        """Alerts below this severity are not sent here."""
        ...

    def send(self, alert: Alert) -> None:
        """Deliver one alert; NotificationError saying why if it did not arrive."""
        ...


class IncidentOpener(Protocol):
    """Opens an incident for a critical alert (implemented by the incident module, to come)."""

    def open_for(self, alert: Alert) -> None: ...
