"""Alerts: findings stored once, repeats counted, new ones pushed to the sinks; staff handle them.

A finding becomes a new alert unless an alert with its fingerprint (detector, principal, signal)
is still open or acknowledged and was last seen within the dedupe window; then it raises that
alert's count, but only if it brings audit entries the alert has not counted yet, so scanning
the same log twice changes nothing. Alerts are committed before any sink is tried: a sink that
fails never loses one, and its failure is recorded with the alert and reported.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import timedelta

from strongroom.core.clock import Clock
from strongroom.core.errors import ConflictError, NotFoundError, NotificationError
from strongroom.core.models import Actor
from strongroom.core.monitoring import (
    Alert,
    AlertNotifier,
    AlertStatus,
    IncidentOpener,
    Severity,
)
from strongroom.core.params import param
from strongroom.core.ports import AuditTrail, UnitOfWorkFactory
from strongroom.core.trail import AuditAction, AuditDraft, Outcome
from strongroom.monitor.models import Finding

SENT = "sent"


@dataclass(frozen=True, slots=True)
class AlertSettings:
    """The ``[alerts]`` table of the monitor configuration."""

    dedupe_hours: float = param(24.0, "repeats within this many hours count as one alert", above=0)


@dataclass(frozen=True, slots=True)
class DeliveryFailure:
    alert_id: str
    sink: str
    reason: str


@dataclass(frozen=True, slots=True)
class RaiseReport:
    """What storing a batch of findings did."""

    new: tuple[Alert, ...]
    repeated: tuple[Alert, ...]  # existing alerts whose count went up
    unchanged: int  # findings already counted (the same entries scanned again)
    failures: tuple[DeliveryFailure, ...]


class AlertService:
    """Stores, deduplicates and dispatches alerts; lists them; acknowledges and closes them."""

    def __init__(
        self,
        *,
        uow_factory: UnitOfWorkFactory,
        audit: AuditTrail,
        clock: Clock,
        notifiers: Sequence[AlertNotifier] = (),
        incidents: IncidentOpener | None = None,
        settings: AlertSettings | None = None,
    ) -> None:
        self._uow_factory, self._audit, self._clock = uow_factory, audit, clock
        self._notifiers = tuple(notifiers)
        # No incident module yet: when it exists, bootstrap passes it and critical alerts open one.
        self._incidents = incidents
        self.settings = settings or AlertSettings()

    @property
    def sinks(self) -> tuple[str, ...]:
        return tuple(notifier.name for notifier in self._notifiers)

    def raise_findings(self, findings: Sequence[Finding]) -> RaiseReport:
        """Store ``findings`` as new or repeated alerts, then push the new ones to the sinks."""
        window = timedelta(hours=self.settings.dedupe_hours)
        ordered = sorted(findings, key=lambda f: (f.window_end, f.last_seq))
        with self._uow_factory() as uow:
            current = uow.alerts.unclosed_by_fingerprint([f.fingerprint for f in ordered])
            new: dict[str, Alert] = {}
            repeated: dict[str, Alert] = {}
            unchanged = 0
            for finding in ordered:
                alert = current.get(finding.fingerprint)
                if alert is None or finding.window_start - alert.last_seen > window:
                    alert = self._new_alert(finding)
                    new[alert.id] = current[finding.fingerprint] = alert
                elif _counted(alert, finding):
                    unchanged += 1
                else:
                    alert = current[finding.fingerprint] = _repeat(alert, finding)
                    (new if alert.id in new else repeated)[alert.id] = alert
            uow.alerts.add(list(new.values()))
            uow.alerts.update(list(repeated.values()))
            uow.commit()
        delivered, failures = self._dispatch(list(new.values()))
        self._open_incidents(delivered)
        return RaiseReport(tuple(delivered), tuple(repeated.values()), unchanged, failures)

    def list_alerts(self, *, status: AlertStatus | None = None, limit: int = 100) -> list[Alert]:
        with self._uow_factory() as uow:
            return uow.alerts.list(status=status, limit=limit)

    def acknowledge(self, *, actor: Actor, alert_id: str, note: str | None = None) -> Alert:
        """Mark an open alert as seen and being handled; audited."""
        return self._handle(actor, alert_id, note, AlertStatus.ACKNOWLEDGED)

    def close(self, *, actor: Actor, alert_id: str, note: str | None = None) -> Alert:
        """Close an alert: a later finding with its fingerprint opens a new one; audited."""
        return self._handle(actor, alert_id, note, AlertStatus.CLOSED)

    def _handle(self, actor: Actor, alert_id: str, note: str | None, status: AlertStatus) -> Alert:
        with self._uow_factory() as uow:
            alert = uow.alerts.get(alert_id)
            if alert is None:
                raise NotFoundError(
                    f"no alert with id {alert_id!r}; `strongroom alerts list` shows the ids"
                )
            if alert.status is AlertStatus.CLOSED or alert.status is status:
                raise ConflictError(
                    f"alert {alert_id} is {alert.status.value} already "
                    f"(by {alert.handled_by or 'nobody'}); nothing was changed"
                )
            handled = replace(
                alert,
                status=status,
                note=note if note is not None else alert.note,
                handled_by=actor.label,
                handled_at=self._clock.now(),
            )
            uow.alerts.update([handled])
            self._audit.record(uow, [_handled_draft(actor, handled)])
            uow.commit()
        return handled

    def _new_alert(self, finding: Finding) -> Alert:
        return Alert(
            id=str(uuid.uuid4()),
            fingerprint=finding.fingerprint,
            detector=finding.detector,
            severity=finding.severity,
            status=AlertStatus.OPEN,
            principal=finding.principal,
            signal=finding.signal,
            summary=finding.summary,
            explanation=finding.explanation(),
            first_seen=finding.window_start,
            last_seen=finding.window_end,
            count=1,
            last_seq=finding.last_seq if finding.seqs else None,
        )

    def _dispatch(self, alerts: list[Alert]) -> tuple[list[Alert], tuple[DeliveryFailure, ...]]:
        failures: list[DeliveryFailure] = []
        delivered: list[Alert] = []
        for alert in alerts:
            deliveries: dict[str, str] = {}
            for notifier in self._notifiers:
                if alert.severity.rank < notifier.min_severity.rank:
                    continue
                try:
                    notifier.send(alert)
                    deliveries[notifier.name] = SENT
                except NotificationError as error:
                    deliveries[notifier.name] = f"failed: {error.message}"
                    failures.append(DeliveryFailure(alert.id, notifier.name, error.message))
            delivered.append(replace(alert, deliveries=deliveries))
        changed = [alert for alert in delivered if alert.deliveries]
        if changed:
            with self._uow_factory() as uow:
                uow.alerts.update(changed)
                uow.commit()
        return delivered, tuple(failures)

    def _open_incidents(self, alerts: list[Alert]) -> None:
        if self._incidents is None:
            return
        for alert in alerts:
            if alert.severity is Severity.CRITICAL:
                self._incidents.open_for(alert)


def _counted(alert: Alert, finding: Finding) -> bool:
    """Whether every entry behind ``finding`` was counted in ``alert`` already."""
    return bool(finding.seqs) and alert.last_seq is not None and finding.last_seq <= alert.last_seq


def _repeat(alert: Alert, finding: Finding) -> Alert:
    severity = max(alert.severity, finding.severity, key=lambda s: s.rank)
    last_seq = max(alert.last_seq or 0, finding.last_seq) if finding.seqs else alert.last_seq
    return replace(
        alert,
        severity=severity,
        summary=finding.summary,
        explanation=finding.explanation(),
        first_seen=min(alert.first_seen, finding.window_start),
        last_seen=max(alert.last_seen, finding.window_end),
        count=alert.count + 1,
        last_seq=last_seq,
    )


def _handled_draft(actor: Actor, alert: Alert) -> AuditDraft:
    action = (
        AuditAction.ALERT_CLOSED
        if alert.status is AlertStatus.CLOSED
        else AuditAction.ALERT_ACKNOWLEDGED
    )
    return AuditDraft(
        actor=actor.label,
        action=action,
        outcome=Outcome.SUCCESS,
        resource_type="alert",
        resource_ids=(alert.id,),
        purpose="security",
        detail={"detector": alert.detector, "severity": alert.severity.value},
        origin=actor.origin,
    )
