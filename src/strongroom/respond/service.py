"""Incident use cases: open (by hand or from a critical alert), move, assign, task, note,
suspects added and removed.

Every change is audited in the same transaction as the change, and its timeline entry names
the audit entry that records it: the timeline and the audit log cannot disagree.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime

from strongroom.core.clock import Clock, ensure_utc
from strongroom.core.errors import ConflictError, InvalidInputError, NotFoundError
from strongroom.core.incidents import (
    Incident,
    IncidentRole,
    IncidentStatus,
    IncidentTask,
    RoleAssignment,
    SuspectWatch,
    TaskStatus,
    TimelineDraft,
    TimelineEntry,
    TimelineKind,
)
from strongroom.core.models import Actor, JsonObject, PrincipalKind
from strongroom.core.monitoring import Alert, Severity
from strongroom.core.ports import AuditTrail, UnitOfWork, UnitOfWorkFactory
from strongroom.core.trail import AuditAction, AuditDraft, Outcome
from strongroom.respond.models import IncidentView, may_move

SYSTEM_ACTOR = "system:strongroom"
PURPOSE = "incident_response"
_MAX_TEXT = 2000
_OPENED = AuditAction.INCIDENT_OPENED
_Detail = dict[str, str | int]
MAX_SUSPECTS = 100
_MAX_LABEL = 300
_KINDS = ", ".join(kind.value for kind in PrincipalKind)


def checked_label(label: str) -> str:
    """A suspect as the audit log names actors, ``KIND:NAME``; InvalidInputError otherwise."""
    label = label.strip()
    kind, sep, name = label.partition(":")
    if (
        not sep
        or kind not in PrincipalKind._value2member_map_
        or not name
        or len(label) > _MAX_LABEL
        or not label.isprintable()
        or any(char.isspace() for char in label)
    ):
        raise InvalidInputError(
            f"a suspect is an audit actor label KIND:NAME, such as staff:ann (KIND is one of "
            f"{_KINDS}; at most {_MAX_LABEL} characters, no spaces)"
        )
    return label


def _checked_labels(labels: Sequence[str]) -> tuple[str, ...]:
    chosen = tuple(dict.fromkeys(checked_label(label) for label in labels if label.strip()))
    if len(chosen) > MAX_SUSPECTS:
        raise InvalidInputError(f"an incident has at most {MAX_SUSPECTS} suspects")
    return chosen


def _checked_text(text: str, what: str) -> str:
    text = text.strip()
    if not text or len(text) > _MAX_TEXT:
        raise InvalidInputError(f"the {what} must be 1 to {_MAX_TEXT} characters")
    return text


class IncidentService:
    """Incidents and their timeline; also the monitor's IncidentOpener for critical alerts."""

    def __init__(self, *, uow_factory: UnitOfWorkFactory, audit: AuditTrail, clock: Clock) -> None:
        self._uow_factory, self._audit, self._clock = uow_factory, audit, clock

    def open_incident(
        self,
        *,
        actor: Actor,
        title: str,
        severity: Severity,
        principals: Sequence[str] = (),
        aware_at: datetime | None = None,
    ) -> Incident:
        """Open an incident by hand; ``aware_at`` (default now) starts the notice deadlines."""
        now = self._clock.now()
        aware = ensure_utc(aware_at) if aware_at is not None else now
        if aware > now:
            raise InvalidInputError("the moment of awareness cannot be in the future")
        incident = Incident(
            id=str(uuid.uuid4()),
            title=_checked_text(title, "title"),
            severity=severity,
            status=IncidentStatus.TRIAGE,
            opened_at=now,
            opened_by=actor.label,
            aware_at=aware,
            updated_at=now,
            principals=_checked_labels(principals),
        )
        with self._uow_factory() as uow:
            uow.incidents.add(incident)
            opened = f"Opened: {incident.title}"
            self._log(uow, incident, actor, TimelineKind.OPENED, opened, action=_OPENED)
            uow.commit()
        return incident

    def open_for(self, alert: Alert) -> None:
        """Open an incident for a critical alert, once per alert (implements IncidentOpener)."""
        now = self._clock.now()
        incident = Incident(
            id=str(uuid.uuid4()),
            title=f"Alert: {alert.summary}"[:_MAX_TEXT],
            severity=alert.severity,
            status=IncidentStatus.DETECTION,
            opened_at=now,
            opened_by=SYSTEM_ACTOR,
            aware_at=now,
            updated_at=now,
            principals=(alert.principal,) if alert.principal else (),
            alert_id=alert.id,
        )
        with self._uow_factory() as uow:
            if uow.incidents.by_alert(alert.id) is not None:
                return
            uow.incidents.add(incident)
            if alert.principal:  # watched from the alert's first sighting, not from now
                since = min(ensure_utc(alert.first_seen), now)
                uow.incidents.save_watch(SuspectWatch(incident.id, alert.principal, since))
            text = f"{alert.severity.value} alert from {alert.detector}: {alert.summary}"
            detail: _Detail = {
                "alert_id": alert.id,
                "detector": alert.detector,
                "signal": alert.signal,
            }
            self._log(uow, incident, None, TimelineKind.ALERT, text, detail=detail, action=_OPENED)
            uow.commit()

    def list_incidents(
        self, *, status: IncidentStatus | None = None, limit: int = 100
    ) -> list[Incident]:
        with self._uow_factory() as uow:
            return uow.incidents.list(status=status, limit=limit)

    def show(self, incident_id: str) -> IncidentView:
        with self._uow_factory() as uow:
            incident = _get(uow, incident_id)
            return IncidentView(
                incident,
                tuple(uow.incidents.roles(incident_id)),
                tuple(uow.incidents.tasks(incident_id)),
                tuple(uow.incidents.timeline(incident_id)),
            )

    def transition(
        self, *, actor: Actor, incident_id: str, status: IncidentStatus, note: str | None = None
    ) -> Incident:
        """Move an incident to ``status``, if the status machine allows it."""
        with self._editing(incident_id) as (uow, incident):
            if not may_move(incident.status, status):
                raise ConflictError(
                    f"incident {incident_id} is in {incident.status.value} and cannot move to "
                    f"{status.value}; `strongroom incidents show` lists the allowed moves"
                )
            now = self._clock.now()
            closed_at = now if status is IncidentStatus.CLOSED else None
            moved = replace(incident, status=status, updated_at=now, closed_at=closed_at)
            uow.incidents.update(moved)
            detail: _Detail = {"from": incident.status.value, "to": status.value}
            text = f"Status {incident.status.value} -> {status.value}"
            if note:
                text += f": {_checked_text(note, 'note')}"
            self._log(uow, moved, actor, TimelineKind.STATUS, text, detail=detail)
        return moved

    def assign(
        self, *, actor: Actor, incident_id: str, role: IncidentRole, assignee: str
    ) -> RoleAssignment:
        """Give ``role`` in the incident to ``assignee`` (a staff name), replacing the holder."""
        assignee = _checked_text(assignee, "assignee")
        with self._editing(incident_id) as (uow, incident):
            assignment = RoleAssignment(incident_id, role, assignee, self._clock.now())
            uow.incidents.assign(assignment)
            detail: _Detail = {"role": role.value, "assignee": assignee}
            text = f"{role.value} is now {assignee}"
            self._log(uow, incident, actor, TimelineKind.ROLE, text, detail=detail)
        return assignment

    def add_task(
        self, *, actor: Actor, incident_id: str, title: str, owner: str | None = None
    ) -> IncidentTask:
        task_title = _checked_text(title, "task")
        with self._editing(incident_id) as (uow, incident):
            task = IncidentTask(
                str(uuid.uuid4()),
                incident_id,
                task_title,
                TaskStatus.OPEN,
                self._clock.now(),
                owner,
            )
            uow.incidents.add_task(task)
            detail: _Detail = {"task": task.id, "task_status": "open"}
            self._log(
                uow, incident, actor, TimelineKind.TASK, f"Task added: {task_title}", detail=detail
            )
        return task

    def complete_task(self, *, actor: Actor, incident_id: str, task_id: str) -> IncidentTask:
        with self._editing(incident_id) as (uow, incident):
            task = next((t for t in uow.incidents.tasks(incident_id) if t.id == task_id), None)
            if task is None:
                raise NotFoundError(f"no task {task_id!r} in incident {incident_id}")
            if task.status is TaskStatus.DONE:
                raise ConflictError(f"task {task_id} is done already; nothing was changed")
            done = replace(task, status=TaskStatus.DONE, done_at=self._clock.now())
            uow.incidents.update_task(done)
            detail: _Detail = {"task": task.id, "task_status": "done"}
            self._log(
                uow, incident, actor, TimelineKind.TASK, f"Task done: {task.title}", detail=detail
            )
        return done

    def add_note(self, *, actor: Actor, incident_id: str, text: str) -> TimelineEntry:
        """Add a note to the timeline; notes are for facts and decisions, never personal data."""
        note = _checked_text(text, "note")
        with self._editing(incident_id) as (uow, incident):
            return self._log(
                uow, incident, actor, TimelineKind.NOTE, note, action=AuditAction.INCIDENT_NOTED
            )

    def add_suspect(
        self, *, actor: Actor, incident_id: str, label: str, since: datetime | None = None
    ) -> Incident:
        """Add a suspect, whose audit entries from ``since`` (default: the incident's
        ``aware_at``) on are copied onto the timeline; ConflictError if it is one already."""
        label = checked_label(label)
        with self._editing(incident_id) as (uow, incident):
            if label in incident.principals:
                raise ConflictError(f"{label} is a suspect of incident {incident_id} already")
            if len(incident.principals) >= MAX_SUSPECTS:
                raise InvalidInputError(f"an incident has at most {MAX_SUSPECTS} suspects")
            start = incident.aware_at if since is None else ensure_utc(since)
            if start > self._clock.now():
                raise InvalidInputError("a suspect cannot be watched from a time in the future")
            changed = replace(
                incident, principals=(*incident.principals, label), updated_at=self._clock.now()
            )
            uow.incidents.update(changed)
            uow.incidents.save_watch(SuspectWatch(incident_id, label, start))
            detail: _Detail = {"suspect": label, "change": "added", "since": start.isoformat()}
            text = f"Suspect added: {label} (audit entries from {start.isoformat()} on)"
            self._log(uow, changed, actor, TimelineKind.SUSPECT, text, detail=detail)
        return changed

    def remove_suspect(self, *, actor: Actor, incident_id: str, label: str) -> Incident:
        """Stop watching a suspect; what was copied stays on the (append-only) timeline."""
        with self._editing(incident_id) as (uow, incident):
            if label not in incident.principals:
                raise NotFoundError(
                    f"{label!r} is not a suspect of incident {incident_id}; "
                    "`strongroom incidents show` lists them"
                )
            kept = tuple(p for p in incident.principals if p != label)
            changed = replace(incident, principals=kept, updated_at=self._clock.now())
            uow.incidents.update(changed)
            uow.incidents.drop_watch(incident_id, label)
            detail: _Detail = {"suspect": label, "change": "removed"}
            self._log(
                uow,
                changed,
                actor,
                TimelineKind.SUSPECT,
                f"Suspect removed: {label}",
                detail=detail,
            )
        return changed

    def record_event(
        self,
        *,
        incident_id: str,
        actor: str,
        kind: TimelineKind,
        text: str,
        detail: JsonObject | None = None,
        audit: AuditDraft | None = None,
    ) -> None:
        """Append one timeline entry (with its audit entry, if given) in its own transaction."""
        with self._editing(incident_id) as (uow, incident):
            seq = None
            if audit is not None:
                self._audit.record(uow, [audit])
                seq = uow.audit.head().seq
            draft = TimelineDraft(
                incident.id, self._clock.now(), kind, actor, text, dict(detail or {}), seq
            )
            uow.incidents.append([draft])

    def get(self, incident_id: str) -> Incident:
        with self._uow_factory() as uow:
            return _get(uow, incident_id)

    @contextmanager
    def _editing(self, incident_id: str) -> Iterator[tuple[UnitOfWork, Incident]]:
        """A unit of work and the incident it changes; commits when the block ends cleanly."""
        with self._uow_factory() as uow:
            yield uow, _get(uow, incident_id)
            uow.commit()

    def _log(
        self,
        uow: UnitOfWork,
        incident: Incident,
        by: Actor | None,
        kind: TimelineKind,
        text: str,
        *,
        detail: _Detail | None = None,
        action: AuditAction = AuditAction.INCIDENT_CHANGED,
    ) -> TimelineEntry:
        """Audit one change and put it on the timeline, naming the audit entry."""
        label = by.label if by is not None else SYSTEM_ACTOR
        draft = AuditDraft(
            actor=label,
            action=action,
            outcome=Outcome.SUCCESS,
            resource_type="incident",
            resource_ids=(incident.id,),
            purpose=PURPOSE,
            detail=dict(detail or {}),
            origin=by.origin if by is not None else None,
        )
        self._audit.record(uow, [draft])
        seq = uow.audit.head().seq  # the entry just recorded
        entry = TimelineDraft(
            incident.id, self._clock.now(), kind, label, text, dict(detail or {}), seq
        )
        [appended] = uow.incidents.append([entry])
        return appended


def _get(uow: UnitOfWork, incident_id: str) -> Incident:
    incident = uow.incidents.get(incident_id)
    if incident is None:
        raise NotFoundError(
            f"no incident with id {incident_id!r}; `strongroom incidents list` shows the ids"
        )
    return incident
