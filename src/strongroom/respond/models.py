"""Incident rules as data: which status may follow which, and the parsing of names."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypeVar

from strongroom.core.errors import InvalidInputError
from strongroom.core.incidents import (
    Incident,
    IncidentRole,
    IncidentStatus,
    IncidentTask,
    RoleAssignment,
    TimelineEntry,
)
from strongroom.core.monitoring import Severity

S = IncidentStatus

# NIST SP 800-61's phases in order, with the moves back that real incidents need: triage may
# close a false positive, and a containment that did not hold sends eradication or recovery back.
TRANSITIONS: dict[IncidentStatus, frozenset[IncidentStatus]] = {
    S.DETECTION: frozenset({S.TRIAGE, S.CLOSED}),
    S.TRIAGE: frozenset({S.CONTAINMENT, S.CLOSED}),
    S.CONTAINMENT: frozenset({S.ERADICATION, S.TRIAGE}),
    S.ERADICATION: frozenset({S.RECOVERY, S.CONTAINMENT}),
    S.RECOVERY: frozenset({S.CLOSED, S.CONTAINMENT}),
    S.CLOSED: frozenset({S.TRIAGE}),  # reopened: new evidence
}


def incident_dict(incident: Incident) -> dict[str, Any]:
    """The incident as the API and the CLI's ``--json`` show it, with the moves it allows."""
    return {
        "id": incident.id,
        "title": incident.title,
        "severity": incident.severity.value,
        "status": incident.status.value,
        "opened_at": incident.opened_at.isoformat(),
        "opened_by": incident.opened_by,
        "aware_at": incident.aware_at.isoformat(),
        "principals": list(incident.principals),
        "suspects": list(incident.principals),  # the same list, under the name the docs use
        "alert_id": incident.alert_id,
        "allowed_moves": sorted(s.value for s in TRANSITIONS[incident.status]),
    }


def may_move(current: IncidentStatus, target: IncidentStatus) -> bool:
    """Whether an incident in ``current`` may move to ``target``."""
    return target in TRANSITIONS[current]


T = TypeVar("T", bound=StrEnum)


def parse_choice(kind: type[T], value: str, what: str) -> T:
    """``value`` as a member of ``kind``; a one-line InvalidInputError naming the choices."""
    try:
        return kind(value)
    except ValueError:
        choices = ", ".join(member.value for member in kind)
        raise InvalidInputError(f"unknown {what} {value!r}; use one of: {choices}") from None


def parse_status(value: str) -> IncidentStatus:
    return parse_choice(IncidentStatus, value, "incident status")


def parse_role(value: str) -> IncidentRole:
    return parse_choice(IncidentRole, value, "incident role")


def parse_severity(value: str) -> Severity:
    return parse_choice(Severity, value, "severity")


@dataclass(frozen=True, slots=True)
class IncidentView:
    """An incident with everything hanging off it, as shown to responders."""

    incident: Incident
    roles: tuple[RoleAssignment, ...]
    tasks: tuple[IncidentTask, ...]
    timeline: tuple[TimelineEntry, ...]


def timeline_dict(entry: TimelineEntry) -> dict[str, Any]:
    """One timeline entry as the API and ``--json`` show it; ``audit_seq`` is for
    ``strongroom audit proof``."""
    draft = entry.draft
    return {
        "id": entry.id,
        "at": draft.at.isoformat(),
        "kind": draft.kind.value,
        "actor": draft.actor,
        "text": draft.text,
        "detail": dict(draft.detail),
        "audit_seq": draft.audit_seq,
    }


def task_dict(task: IncidentTask) -> dict[str, Any]:
    return {
        "id": task.id,
        "title": task.title,
        "status": task.status.value,
        "owner": task.owner,
        "created_at": task.created_at.isoformat(),
        "done_at": task.done_at.isoformat() if task.done_at else None,
    }


def view_dict(view: IncidentView) -> dict[str, Any]:
    """An incident with its roles, tasks and timeline, as the API and ``--json`` show it."""
    return {
        **incident_dict(view.incident),
        "roles": {a.role.value: a.assignee for a in view.roles},
        "tasks": [task_dict(t) for t in view.tasks],
        "timeline": [timeline_dict(e) for e in view.timeline],
    }
