"""The work on an incident over HTTP: notes, tasks, roles, suspects and the timeline.

Each change is audited and put on the timeline by the incident service, as at the CLI.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from strongroom.api.deps import AppDep
from strongroom.api.routes.incident_access import Responder
from strongroom.respond.models import (
    incident_dict,
    parse_role,
    task_dict,
    timeline_dict,
)

router = APIRouter(prefix="/api/v1/incidents", tags=["incidents"])
Label = Annotated[str, Path(max_length=300, description="An audit actor label, e.g. staff:ann")]


class NoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=2000, description="Facts and decisions; no PII")


class TaskIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=2000)
    owner: str | None = Field(default=None, max_length=200)


class RoleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    assignee: str = Field(min_length=1, max_length=2000, description="Who takes the role")


class SuspectIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    label: str = Field(min_length=3, max_length=300, description="KIND:NAME, e.g. staff:ann")
    since: datetime | None = Field(
        default=None, description="Copy the suspect's audit entries from (default: awareness)"
    )


@router.post("/{incident_id}/notes", status_code=201)
def add_note(app: AppDep, actor: Responder, incident_id: str, body: NoteIn) -> dict[str, Any]:
    """Add a note to the timeline; the answer is its timeline entry."""
    entry = app.respond.incidents.add_note(actor=actor, incident_id=incident_id, text=body.text)
    return timeline_dict(entry)


@router.post("/{incident_id}/tasks", status_code=201)
def add_task(app: AppDep, actor: Responder, incident_id: str, body: TaskIn) -> dict[str, Any]:
    """Add a task."""
    task = app.respond.incidents.add_task(
        actor=actor, incident_id=incident_id, title=body.title, owner=body.owner
    )
    return task_dict(task)


@router.post("/{incident_id}/tasks/{task_id}/done")
def complete_task(app: AppDep, actor: Responder, incident_id: str, task_id: str) -> dict[str, Any]:
    """Mark a task done; 409 if it is done already."""
    task = app.respond.incidents.complete_task(
        actor=actor, incident_id=incident_id, task_id=task_id
    )
    return task_dict(task)


@router.put("/{incident_id}/roles/{role}")
def assign_role(
    app: AppDep, actor: Responder, incident_id: str, role: str, body: RoleIn
) -> dict[str, Any]:
    """Give a role (commander, scribe, liaison, dpo) to someone, replacing its holder."""
    assignment = app.respond.incidents.assign(
        actor=actor, incident_id=incident_id, role=parse_role(role), assignee=body.assignee
    )
    return {
        "role": assignment.role.value,
        "assignee": assignment.assignee,
        "assigned_at": assignment.assigned_at.isoformat(),
    }


@router.post("/{incident_id}/suspects", status_code=201)
def add_suspect(app: AppDep, actor: Responder, incident_id: str, body: SuspectIn) -> dict[str, Any]:
    """Make a principal a suspect: its audit entries are copied onto the timeline."""
    incident = app.respond.incidents.add_suspect(
        actor=actor, incident_id=incident_id, label=body.label, since=body.since
    )
    return incident_dict(incident)


@router.delete("/{incident_id}/suspects/{label}")
def remove_suspect(app: AppDep, actor: Responder, incident_id: str, label: Label) -> dict[str, Any]:
    """Stop watching a suspect; what was copied stays on the timeline."""
    incident = app.respond.incidents.remove_suspect(
        actor=actor, incident_id=incident_id, label=label
    )
    return incident_dict(incident)


@router.get("/{incident_id}/timeline")
def timeline(
    app: AppDep,
    actor: Responder,
    incident_id: str,
    after: Annotated[int, Query(ge=0, description="Only entries with a larger id")] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 1000,
) -> list[dict[str, Any]]:
    """The timeline in the order appended (suspects' new acts copied first), paged by id."""
    view = app.respond.suspects.show(incident_id)
    return [timeline_dict(e) for e in view.timeline if e.id > after][:limit]
