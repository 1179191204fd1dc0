"""Playbooks over HTTP: list them, run one for an incident. incidents.manage.

The approval rules are the CLI's: a step that needs approval takes the id of a four-eyes
approval of kind ``containment`` for ``PLAYBOOK:INCIDENT``, approved by someone else. A run that
stops (a failed step, a missing or refused approval) answers 409 ``containment_failed``; the
steps done before stay done and the failure is on the timeline.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from strongroom.api.deps import AppDep
from strongroom.api.routes.incident_access import Responder
from strongroom.respond.playbooks import PLAYBOOKS, playbook_named

router = APIRouter(tags=["incidents"])


class PlaybookRunIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    params: dict[str, str] = Field(
        default_factory=dict, max_length=20, description='e.g. {"principal": "staff:ann"}'
    )
    approval: str | None = Field(
        default=None, max_length=64, description="A four-eyes approval id, for approval steps"
    )


@router.get("/api/v1/playbooks")
def list_playbooks(actor: Responder) -> dict[str, Any]:
    """Every playbook with its steps, and which steps need approval."""
    return {
        p.name: {
            "description": p.description,
            "steps": [
                {"action": s.action, "params": dict(s.params), "approval": s.approval}
                for s in p.steps
            ],
        }
        for p in PLAYBOOKS.values()
    }


@router.post("/api/v1/incidents/{incident_id}/playbooks/{name}/run")
def run_playbook(
    app: AppDep, actor: Responder, incident_id: str, name: str, body: PlaybookRunIn
) -> list[dict[str, Any]]:
    """Run (or resume) a playbook's steps; each is on the timeline."""
    playbook = playbook_named(name)
    app.respond.incidents.get(incident_id)  # 404 before anything runs
    context = app.respond.context(actor=actor, incident_id=incident_id)
    outcomes = app.respond.playbooks.run(
        context=context, playbook=playbook, params=body.params, approval=body.approval
    )
    return [
        {"step": o.index, "action": o.action, "result": o.result, "summary": o.summary}
        for o in outcomes
    ]
