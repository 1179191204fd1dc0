"""The scan: one pass of every enabled detector over the audit log, findings stored as alerts."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from itertools import takewhile

from strongroom.core.models import Actor, PrincipalKind
from strongroom.core.ports import AuditTrail, UnitOfWork, UnitOfWorkFactory
from strongroom.core.trail import AuditAction, AuditDraft, AuditEntry, Outcome
from strongroom.monitor.alerts import AlertService, RaiseReport
from strongroom.monitor.detectors import Detector, run_detectors
from strongroom.monitor.models import Finding, ScanContext


@dataclass(frozen=True, slots=True)
class ScanReport:
    entries: int  # audit entries read
    findings: tuple[Finding, ...]
    alerts: RaiseReport


class _Counted:
    """Counts the entries passing through, up to the head seen when the scan began."""

    def __init__(self, uow: UnitOfWork) -> None:
        head = uow.audit.head().seq
        # Entries appended while we read lie beyond the head we took; the next scan reads them.
        self._source = takewhile(lambda e: e.seq <= head, uow.audit.scan())
        self.count = 0

    def __iter__(self) -> _Counted:
        return self

    def __next__(self) -> AuditEntry:
        entry = next(self._source)
        self.count += 1
        return entry


def scan_audit_log(
    *,
    uow_factory: UnitOfWorkFactory,
    detectors: Sequence[Detector],
    alerts: AlertService,
    audit: AuditTrail,
    actor: Actor,
    since: datetime | None = None,
) -> ScanReport:
    """Run ``detectors`` over the whole log (they learn from all of it), report what happened
    since ``since``, and store the findings as alerts (audited as ``monitor.scanned``)."""
    with uow_factory() as uow:
        honeytokens = uow.honeytokens.all()
        context = ScanContext(
            since=since,
            honeytoken_customers=frozenset(h.customer_id for h in honeytokens),
            honeytoken_cards=frozenset(h.card_token for h in honeytokens if h.card_token),
            role_of=_roles(uow),
        )
        entries = _Counted(uow)
        findings = run_detectors(detectors, entries, context)
    report = alerts.raise_findings(findings)
    with uow_factory() as uow:
        audit.record(uow, [_scanned_draft(actor, entries.count, report, since)])
        uow.commit()
    return ScanReport(entries.count, tuple(findings), report)


def _roles(uow: UnitOfWork) -> Callable[[str], str | None]:
    """The role of a staff principal, by its audit actor label, from the principals table."""

    @cache
    def role_of(label: str) -> str | None:
        kind, _, name = label.partition(":")
        if kind != PrincipalKind.STAFF.value or not name:
            return None
        principal = uow.principals.by_name(name)
        return principal.role if principal is not None else None

    return role_of


def _scanned_draft(
    actor: Actor, entries: int, report: RaiseReport, since: datetime | None
) -> AuditDraft:
    detail: dict[str, str | int] = {
        "entries": entries,
        "new_alerts": len(report.new),
        "repeated_alerts": len(report.repeated),
        "delivery_failures": len(report.failures),
    }
    if since is not None:
        detail["since"] = since.isoformat()
    return AuditDraft(
        actor=actor.label,
        action=AuditAction.MONITOR_SCANNED,
        outcome=Outcome.SUCCESS,
        resource_type="audit_log",
        resource_ids=tuple(alert.id for alert in report.new),
        purpose="security",
        detail=detail,
        origin=actor.origin,
    )
