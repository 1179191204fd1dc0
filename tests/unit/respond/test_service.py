from __future__ import annotations

from datetime import timedelta

import pytest

from strongroom.core.errors import ConflictError, InvalidInputError, NotFoundError
from strongroom.core.incidents import IncidentRole, IncidentStatus, TimelineKind
from strongroom.core.monitoring import Severity
from strongroom.core.trail import AuditAction
from strongroom.respond.service import IncidentService

from .conftest import RESPONDER, T0, World, canary_alert


def _audit_actions(world: World) -> list[AuditAction]:
    with world.factory() as uow:
        return [entry.draft.action for entry in uow.audit.scan()]


def test_opening_an_incident_audits_it_and_starts_its_timeline(world: World) -> None:
    incident = world.incidents.open_incident(
        actor=RESPONDER, title="Stolen laptop", severity=Severity.HIGH, principals=["staff:ann"]
    )
    view = world.incidents.show(incident.id)
    assert incident.status is IncidentStatus.TRIAGE
    assert incident.aware_at == T0
    assert [e.draft.kind for e in view.timeline] == [TimelineKind.OPENED]
    assert view.timeline[0].draft.audit_seq == 1
    assert _audit_actions(world) == [AuditAction.INCIDENT_OPENED]


def test_awareness_in_the_future_is_refused(world: World) -> None:
    with pytest.raises(InvalidInputError, match="future"):
        world.incidents.open_incident(
            actor=RESPONDER, title="x", severity=Severity.LOW, aware_at=T0 + timedelta(hours=1)
        )


def test_a_critical_alert_opens_one_incident_with_the_alert_on_its_timeline(world: World) -> None:
    world.incidents.open_for(canary_alert())
    world.incidents.open_for(canary_alert())  # the same alert again: no second incident
    [incident] = world.incidents.list_incidents()
    assert incident.alert_id == "a1"
    assert incident.status is IncidentStatus.DETECTION
    assert incident.principals == ("staff:mallory",)
    [entry] = world.incidents.show(incident.id).timeline
    assert entry.draft.kind is TimelineKind.ALERT
    assert entry.draft.detail["detector"] == "honeytoken_access"


def test_a_move_the_table_forbids_changes_nothing(world: World) -> None:
    incident = world.incidents.open_incident(actor=RESPONDER, title="x", severity=Severity.LOW)
    with pytest.raises(ConflictError, match="cannot move to recovery"):
        world.incidents.transition(
            actor=RESPONDER, incident_id=incident.id, status=IncidentStatus.RECOVERY
        )
    assert world.incidents.get(incident.id).status is IncidentStatus.TRIAGE
    assert len(world.incidents.show(incident.id).timeline) == 1


def test_moves_roles_tasks_and_notes_all_reach_the_timeline(world: World) -> None:
    service: IncidentService = world.incidents
    incident = service.open_incident(actor=RESPONDER, title="x", severity=Severity.LOW)
    service.transition(actor=RESPONDER, incident_id=incident.id, status=IncidentStatus.CONTAINMENT)
    service.assign(
        actor=RESPONDER, incident_id=incident.id, role=IncidentRole.COMMANDER, assignee="rita"
    )
    service.assign(
        actor=RESPONDER, incident_id=incident.id, role=IncidentRole.COMMANDER, assignee="sam"
    )
    task = service.add_task(actor=RESPONDER, incident_id=incident.id, title="Call the bank")
    service.complete_task(actor=RESPONDER, incident_id=incident.id, task_id=task.id)
    service.add_note(actor=RESPONDER, incident_id=incident.id, text="Bank called back")
    view = service.show(incident.id)
    assert [a.assignee for a in view.roles] == ["sam"]
    assert view.tasks[0].done_at is not None
    kinds = [e.draft.kind.value for e in view.timeline]
    assert kinds == ["opened", "status", "role", "role", "task", "task", "note"]
    seqs = [e.draft.audit_seq for e in view.timeline]
    assert seqs == list(range(1, 8))  # each entry names the audit entry of the same act
    with pytest.raises(ConflictError):
        service.complete_task(actor=RESPONDER, incident_id=incident.id, task_id=task.id)


def test_an_unknown_incident_is_not_found(world: World) -> None:
    with pytest.raises(NotFoundError, match="incidents list"):
        world.incidents.show("nope")


def test_the_timeline_cannot_be_changed_or_removed(world: World) -> None:
    with world.factory() as uow:
        repository = uow.incidents
    public = {name for name in dir(repository) if not name.startswith("_")}
    assert not {n for n in public if "timeline" in n or "append" in n} - {"timeline", "append"}
    assert not any(word in name for name in public for word in ("delete", "remove", "edit"))
    assert "update_timeline" not in public
