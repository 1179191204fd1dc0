"""Incidents over HTTP: list, show, open, move; blast radius and deadlines. incidents.manage.

Notes, tasks, roles, suspects and the timeline are in ``incidents_work``; playbooks in
``incidents_playbooks``; notices in ``incidents_notices``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from strongroom.api.deps import AppDep
from strongroom.api.routes.incident_access import Responder
from strongroom.respond.blast_radius import BlastScope
from strongroom.respond.blast_report import as_json
from strongroom.respond.deadlines import (
    Exposure,
    compute_deadlines,
    load_rules,
    parse_state_counts,
)
from strongroom.respond.models import incident_dict, parse_severity, parse_status, view_dict

router = APIRouter(prefix="/api/v1/incidents", tags=["incidents"])


class IncidentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=2000, description="What happened; no PII")
    severity: str = "high"
    principals: list[str] = Field(default_factory=list, max_length=100)
    aware_at: datetime | None = None


class TransitionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: str
    note: str | None = Field(default=None, max_length=2000)


class BlastRadiusIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    principals: list[str] = Field(min_length=1, max_length=100)
    start: datetime
    end: datetime
    keys_exposed: bool = False


@router.get("")
def list_incidents(
    app: AppDep,
    actor: Responder,
    status: str | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[dict[str, Any]]:
    """Incidents, newest first (suspects' new audit entries are copied onto timelines first)."""
    chosen = parse_status(status) if status else None
    found = app.respond.suspects.list_incidents(status=chosen, limit=limit)
    return [incident_dict(i) for i in found]


@router.post("", status_code=201)
def open_incident(app: AppDep, actor: Responder, body: IncidentIn) -> dict[str, Any]:
    """Open an incident by hand."""
    incident = app.respond.incidents.open_incident(
        actor=actor,
        title=body.title,
        severity=parse_severity(body.severity),
        principals=body.principals,
        aware_at=body.aware_at,
    )
    return incident_dict(incident)


@router.get("/{incident_id}")
def show_incident(app: AppDep, actor: Responder, incident_id: str) -> dict[str, Any]:
    """An incident with its roles, tasks and timeline (suspects' acts copied first)."""
    return view_dict(app.respond.suspects.show(incident_id))


@router.post("/{incident_id}/status")
def transition_incident(
    app: AppDep, actor: Responder, incident_id: str, body: TransitionIn
) -> dict[str, Any]:
    """Move an incident to another status, if allowed."""
    moved = app.respond.incidents.transition(
        actor=actor, incident_id=incident_id, status=parse_status(body.status), note=body.note
    )
    return incident_dict(moved)


@router.post("/{incident_id}/blast-radius")
def blast_radius(
    app: AppDep, actor: Responder, incident_id: str, body: BlastRadiusIn
) -> dict[str, Any]:
    """The blast radius of the given principals and window, recorded on the incident."""
    scope = BlastScope(tuple(body.principals), body.start, body.end, body.keys_exposed)
    radius = app.respond.blast_radius.compute(actor=actor, scope=scope, incident_id=incident_id)
    return as_json(radius)


@router.get("/{incident_id}/deadlines")
def deadlines(
    app: AppDep,
    actor: Responder,
    incident_id: str,
    *,
    state: Annotated[list[str] | None, Query(description="e.g. CA:600")] = None,
    eu: bool = True,
    payment: bool = False,
) -> list[dict[str, Any]]:
    """The notice deadlines that apply, from the moment of awareness."""
    incident = app.respond.incidents.get(incident_id)
    exposure = Exposure(parse_state_counts(state or []), eu, payment)
    found = compute_deadlines(
        load_rules(), aware_at=incident.aware_at, now=app.clock.now(), exposure=exposure
    )
    return [d.as_dict() for d in found]
