"""Alerts: stored once, repeats counted, rescans ignored, sinks tried after the commit."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from strongroom.adapters.memory import MemoryUnitOfWorkFactory
from strongroom.audit.service import AuditLog
from strongroom.core.errors import ConflictError, NotFoundError, NotificationError
from strongroom.core.models import Actor, PrincipalKind
from strongroom.core.monitoring import Alert, AlertStatus, Severity
from strongroom.core.trail import AuditAction
from strongroom.monitor.alerts import AlertService, AlertSettings
from strongroom.monitor.models import Finding

T0 = datetime(2026, 3, 2, 10, tzinfo=UTC)
OPERATOR = Actor(PrincipalKind.LOCAL, "ops", role="admin")


class Clock:
    def now(self) -> datetime:
        return T0 + timedelta(days=30)


class Sink:
    """A notifier that records what it was sent, or fails."""

    def __init__(self, name: str = "test", *, fail: bool = False, minimum: str = "low") -> None:
        self._name, self.fail, self._minimum = name, fail, Severity(minimum)
        self.sent: list[Alert] = []

    @property
    def name(self) -> str:
        return self._name

    @property
    def min_severity(self) -> Severity:
        return self._minimum

    def send(self, alert: Alert) -> None:
        if self.fail:
            raise NotificationError(f"{self._name} is down")
        self.sent.append(alert)


class Incidents:
    def __init__(self) -> None:
        self.opened: list[Alert] = []

    def open_for(self, alert: Alert) -> None:
        self.opened.append(alert)


def finding(
    seqs: tuple[int, ...] = (1, 2),
    *,
    at: datetime = T0,
    principal: str = "staff:ann",
    severity: Severity = Severity.HIGH,
    signal: str = "records_per_day",
) -> Finding:
    return Finding(
        detector="volume_spike",
        principal=principal,
        severity=severity,
        signal=signal,
        baseline=40.0,
        observed=400,
        window_start=at,
        window_end=at + timedelta(hours=1),
        seqs=seqs,
        summary=f"{principal} read 400 records",
    )


@pytest.fixture
def factory() -> MemoryUnitOfWorkFactory:
    return MemoryUnitOfWorkFactory()


def service(factory: MemoryUnitOfWorkFactory, *sinks: Sink, **kwargs: object) -> AlertService:
    return AlertService(
        uow_factory=factory,
        audit=AuditLog(Clock()),
        clock=Clock(),
        notifiers=sinks,
        **kwargs,  # type: ignore[arg-type]
    )


def test_a_finding_becomes_an_open_alert_that_explains_itself(factory) -> None:
    report = service(factory).raise_findings([finding()])
    [alert] = report.new
    assert (alert.status, alert.count, alert.last_seq) == (AlertStatus.OPEN, 1, 2)
    assert alert.explanation["baseline"] == 40.0
    assert alert.explanation["seqs"] == [1, 2]
    assert alert.fingerprint == finding().fingerprint
    assert service(factory).list_alerts() == [alert]


def test_scanning_the_same_entries_again_changes_nothing(factory) -> None:
    alerts = service(factory)
    alerts.raise_findings([finding()])
    again = alerts.raise_findings([finding()])
    assert (again.new, again.repeated, again.unchanged) == ((), (), 1)
    [alert] = alerts.list_alerts()
    assert alert.count == 1


def test_a_repeat_within_the_window_raises_the_count_of_the_same_alert(factory) -> None:
    alerts = service(factory)
    alerts.raise_findings([finding()])
    report = alerts.raise_findings([finding((5,), at=T0 + timedelta(hours=5))])
    [repeated] = report.repeated
    assert (repeated.count, repeated.last_seq) == (2, 5)
    assert repeated.last_seen == T0 + timedelta(hours=6)
    assert len(alerts.list_alerts()) == 1


def test_a_repeat_after_the_window_is_a_new_alert(factory) -> None:
    alerts = service(factory, settings=AlertSettings(dedupe_hours=2))
    alerts.raise_findings([finding()])
    report = alerts.raise_findings([finding((9,), at=T0 + timedelta(hours=4))])
    assert len(report.new) == 1
    assert len(alerts.list_alerts()) == 2


def test_other_principals_or_signals_are_other_alerts(factory) -> None:
    report = service(factory).raise_findings(
        [finding(), finding(principal="staff:bob"), finding(signal="records_vs_role:support")]
    )
    assert len(report.new) == 3


def test_a_closed_alert_is_not_reopened_by_a_repeat(factory) -> None:
    alerts = service(factory)
    [first] = alerts.raise_findings([finding()]).new
    alerts.close(actor=OPERATOR, alert_id=first.id, note="expected: a migration")
    [second] = alerts.raise_findings([finding((7,))]).new
    assert second.id != first.id
    statuses = {a.id: a.status for a in alerts.list_alerts()}
    assert statuses == {first.id: AlertStatus.CLOSED, second.id: AlertStatus.OPEN}


def test_new_alerts_go_to_every_sink_at_or_above_its_severity(factory) -> None:
    everything, urgent = Sink("everything"), Sink("urgent", minimum="critical")
    service(factory, everything, urgent).raise_findings(
        [finding(), finding(principal="staff:eve", severity=Severity.CRITICAL)]
    )
    assert len(everything.sent) == 2
    assert [a.principal for a in urgent.sent] == ["staff:eve"]


def test_a_failing_sink_loses_no_alert_and_the_failure_is_reported_and_kept(factory) -> None:
    down, up = Sink("down", fail=True), Sink("up")
    report = service(factory, down, up).raise_findings([finding()])
    [failure] = report.failures
    assert (failure.sink, failure.reason) == ("down", "down is down")
    [stored] = service(factory).list_alerts()
    assert stored.deliveries == {"down": "failed: down is down", "up": "sent"}
    assert len(up.sent) == 1


def test_repeats_are_not_sent_again(factory) -> None:
    sink = Sink()
    alerts = service(factory, sink)
    alerts.raise_findings([finding()])
    alerts.raise_findings([finding((3,))])
    assert len(sink.sent) == 1


def test_critical_alerts_open_an_incident_when_an_incident_module_is_wired(factory) -> None:
    incidents = Incidents()
    service(factory, incidents=incidents).raise_findings(
        [finding(), finding(principal="staff:eve", severity=Severity.CRITICAL)]
    )
    assert [a.principal for a in incidents.opened] == ["staff:eve"]


def test_acknowledging_is_audited_and_kept_with_the_alert(factory) -> None:
    alerts = service(factory)
    [alert] = alerts.raise_findings([finding()]).new
    handled = alerts.acknowledge(actor=OPERATOR, alert_id=alert.id, note="looking into it")
    assert (handled.status, handled.note, handled.handled_by) == (
        AlertStatus.ACKNOWLEDGED,
        "looking into it",
        "local:ops",
    )
    assert alerts.list_alerts(status=AlertStatus.OPEN) == []
    with factory() as uow:
        [entry] = list(uow.audit.scan())
    assert entry.draft.action is AuditAction.ALERT_ACKNOWLEDGED
    assert entry.draft.resource_ids == (alert.id,)
    assert "looking" not in str(entry.draft.detail)  # the note stays with the alert


def test_an_acknowledged_alert_still_counts_repeats(factory) -> None:
    alerts = service(factory)
    [alert] = alerts.raise_findings([finding()]).new
    alerts.acknowledge(actor=OPERATOR, alert_id=alert.id)
    [repeated] = alerts.raise_findings([finding((4,))]).repeated
    assert (repeated.status, repeated.count) == (AlertStatus.ACKNOWLEDGED, 2)


def test_handling_an_unknown_or_closed_alert_is_refused(factory) -> None:
    alerts = service(factory)
    with pytest.raises(NotFoundError, match="alerts list"):
        alerts.acknowledge(actor=OPERATOR, alert_id="nope")
    [alert] = alerts.raise_findings([finding()]).new
    alerts.close(actor=OPERATOR, alert_id=alert.id)
    with pytest.raises(ConflictError, match="closed already"):
        alerts.acknowledge(actor=OPERATOR, alert_id=alert.id)


def test_an_alert_raised_live_without_entries_takes_the_scans_evidence_as_a_repeat(factory) -> None:
    alerts = service(factory)
    live = replace(finding(), seqs=())
    [alert] = alerts.raise_findings([live]).new
    assert alert.last_seq is None
    [repeated] = alerts.raise_findings([finding((8,))]).repeated
    assert repeated.last_seq == 8
