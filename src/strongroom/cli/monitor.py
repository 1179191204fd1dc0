"""``strongroom monitor ...``, ``strongroom alerts ...`` and ``strongroom honeytokens plant``."""

from __future__ import annotations

import re
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

import typer
from rich.markup import escape

from strongroom.cli.context import local_actor, open_app
from strongroom.cli.output import console, emit_error, emit_json, emit_table
from strongroom.core.monitoring import Alert, AlertStatus
from strongroom.monitor.honeytokens import MAX_PLANTED, plant_honeytokens
from strongroom.monitor.service import ScanReport, scan_audit_log

monitor_app = typer.Typer(help="Anomaly detectors over the audit log.", no_args_is_help=True)
alerts_app = typer.Typer(help="Alerts raised by the detectors.", no_args_is_help=True)
honeytokens_app = typer.Typer(
    help="Canary customers: reading one is an alert.", no_args_is_help=True
)

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]
_RELATIVE = re.compile(r"^(\d+)([dhm])$")
_UNITS = {"d": "days", "h": "hours", "m": "minutes"}


def parse_since(text: str, *, now: datetime) -> datetime:
    """``7d``, ``24h``, ``30m`` before ``now``, or an ISO 8601 date or time (UTC if no zone)."""
    relative = _RELATIVE.match(text.strip())
    if relative:
        return now - timedelta(**{_UNITS[relative.group(2)]: int(relative.group(1))})
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise typer.BadParameter(
            f"{text!r} is neither a duration like 7d, 24h or 30m nor an ISO date like 2026-11-01"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@monitor_app.command("scan")
def monitor_scan(
    since: Annotated[
        str | None,
        typer.Option(help="Report only what happened since: 7d, 24h, or an ISO date/time"),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Run every enabled detector over the audit log; store, deduplicate and send the alerts."""
    with open_app() as app:
        monitoring = app.monitoring
        report = scan_audit_log(
            uow_factory=app.uow_factory,
            detectors=monitoring.config.detectors,
            alerts=monitoring.alerts,
            audit=app.audit,
            actor=local_actor(),
            since=parse_since(since, now=app.clock.now()) if since else None,
        )
    for failure in report.alerts.failures:
        emit_error(
            f"alert {failure.alert_id} was stored but not sent to {failure.sink}: {failure.reason}"
        )
    if as_json:
        emit_json(_scan_json(report))
        return
    raised = report.alerts
    console.print(
        f"Scanned {report.entries} audit entries: {len(report.findings)} findings, "
        f"{len(raised.new)} new alerts, {len(raised.repeated)} repeated, "
        f"{raised.unchanged} already counted"
    )
    if raised.new:
        _alerts_table("New alerts", list(raised.new))


@monitor_app.command("detectors")
def monitor_detectors(as_json: JsonOption = False) -> None:
    """List the detectors with the settings in force (the config file or built-in defaults)."""
    with open_app() as app:
        config = app.monitoring.config
    rows = [(d.name, d.description, asdict(d.settings)) for d in config.detectors]
    if as_json:
        detectors = [{"name": n, "description": d, "settings": s} for n, d, s in rows]
        emit_json({"source": config.source, "detectors": detectors})
        return
    console.print(f"Settings from {config.source}")
    emit_table(
        "Detectors",
        ["name", "enabled", "settings"],
        [
            (name, settings["enabled"], ", ".join(f"{k}={v}" for k, v in settings.items()))
            for name, _, settings in rows
        ],
    )


@alerts_app.command("list")
def alerts_list(
    status: Annotated[AlertStatus | None, typer.Option(help="Only alerts with this status")] = None,
    limit: Annotated[int, typer.Option(min=1, max=10_000, help="At most this many")] = 100,
    as_json: JsonOption = False,
) -> None:
    """List alerts, the most recently seen first."""
    with open_app() as app:
        alerts = app.monitoring.alerts.list_alerts(status=status, limit=limit)
    if as_json:
        emit_json([alert_json(alert) for alert in alerts])
        return
    _alerts_table("Alerts", alerts)


@alerts_app.command("ack")
def alerts_ack(
    alert_id: Annotated[str, typer.Argument(metavar="ALERT_ID", help="From `alerts list`")],
    note: Annotated[str | None, typer.Option(help="What is being done about it")] = None,
) -> None:
    """Acknowledge an open alert (audited); repeats still raise its count."""
    with open_app() as app:
        alert = app.monitoring.alerts.acknowledge(actor=local_actor(), alert_id=alert_id, note=note)
    console.print(f"Acknowledged alert {alert.id} ({alert.detector}, {alert.principal})")


@alerts_app.command("close")
def alerts_close(
    alert_id: Annotated[str, typer.Argument(metavar="ALERT_ID", help="From `alerts list`")],
    note: Annotated[str | None, typer.Option(help="How it was resolved")] = None,
) -> None:
    """Close an alert (audited); the same anomaly later opens a new one."""
    with open_app() as app:
        alert = app.monitoring.alerts.close(actor=local_actor(), alert_id=alert_id, note=note)
    console.print(f"Closed alert {alert.id} ({alert.detector}, {alert.principal})")


@honeytokens_app.command("plant")
def honeytokens_plant(
    count: Annotated[int, typer.Option(min=1, max=MAX_PLANTED, help="How many canaries")] = 3,
    email_domain: Annotated[
        str | None,
        typer.Option(help="Domain of their emails; best one you own with a catch-all mailbox"),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Ingest canary customers (with Luhn-valid cards); any read of one is a critical alert."""
    with open_app() as app:
        planted = plant_honeytokens(
            uow_factory=app.uow_factory,
            vault=app.vault,
            feed=app.monitoring.feed,
            audit=app.audit,
            clock=app.clock,
            actor=local_actor(),
            count=count,
            email_domain=email_domain,
        )
    rows = [(h.customer_id, h.card_token, h.planted_at.isoformat()) for h in planted]
    if as_json:
        keys = ("customer_id", "card_token", "planted_at")
        emit_json([dict(zip(keys, row, strict=True)) for row in rows])
        return
    emit_table("Honeytokens planted", ["customer", "card token", "planted"], rows)


def alert_json(alert: Alert) -> dict[str, Any]:
    document = asdict(alert)
    document["severity"], document["status"] = alert.severity.value, alert.status.value
    return document


def _scan_json(report: ScanReport) -> dict[str, Any]:
    raised = report.alerts
    return {
        "entries": report.entries,
        "findings": [finding.explanation() for finding in report.findings],
        "new_alerts": [alert_json(alert) for alert in raised.new],
        "repeated_alerts": [alert_json(alert) for alert in raised.repeated],
        "unchanged": raised.unchanged,
        "delivery_failures": [asdict(failure) for failure in raised.failures],
    }


def _alerts_table(title: str, alerts: list[Alert]) -> None:
    emit_table(
        title,
        ["id", "severity", "status", "detector", "principal", "count", "last seen", "summary"],
        [
            (
                a.id,
                a.severity.value,
                a.status.value,
                a.detector,
                a.principal,
                a.count,
                a.last_seen.isoformat(timespec="seconds"),
                escape(a.summary),  # it may quote a user agent, brackets and all
            )
            for a in alerts
        ],
    )
