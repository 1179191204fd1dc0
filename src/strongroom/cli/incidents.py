"""``strongroom incidents ...``: incidents, playbooks, blast radius, deadlines and notices."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from strongroom.cli.context import local_actor, open_app
from strongroom.cli.incident_notices import incidents_notice
from strongroom.cli.incident_suspects import suspect_app
from strongroom.cli.monitor import parse_since
from strongroom.cli.output import console, emit_json, emit_table
from strongroom.core.errors import InvalidInputError
from strongroom.respond.blast_radius import BlastScope
from strongroom.respond.blast_report import as_csv, as_json
from strongroom.respond.deadlines import (
    Exposure,
    compute_deadlines,
    load_rules,
    parse_state_counts,
)
from strongroom.respond.models import (
    incident_dict,
    parse_role,
    parse_severity,
    parse_status,
    view_dict,
)
from strongroom.respond.playbooks import PLAYBOOKS, playbook_named

incidents_app = typer.Typer(help="Incident response.", no_args_is_help=True)
playbook_app = typer.Typer(help="Containment playbooks.", no_args_is_help=True)
incidents_app.add_typer(playbook_app, name="playbook")
incidents_app.add_typer(suspect_app, name="suspect")
incidents_app.command("notice")(incidents_notice)

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]
IdArgument = Annotated[str, typer.Argument(help="The incident id")]


@incidents_app.command("open")
def incidents_open(
    title: Annotated[str, typer.Option(help="What happened, in a line (no personal data)")],
    severity: Annotated[str, typer.Option(help="low, medium, high or critical")] = "high",
    principal: Annotated[
        list[str] | None, typer.Option(help="A suspect: an audit actor, e.g. staff:ann (repeat)")
    ] = None,
    aware_at: Annotated[
        str | None, typer.Option(help="When you became aware (ISO time; default now)")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Open an incident by hand; deadlines run from the moment of awareness."""
    aware = parse_since(aware_at, now=datetime.now(UTC)) if aware_at else None
    with open_app() as app:
        incident = app.respond.incidents.open_incident(
            actor=local_actor(),
            title=title,
            severity=parse_severity(severity),
            principals=principal or [],
            aware_at=aware,
        )
    if as_json:
        emit_json(incident_dict(incident))
        return
    console.print(f"Opened incident {incident.id} ({incident.status.value})")


@incidents_app.command("list")
def incidents_list(
    status: Annotated[str | None, typer.Option(help="Only incidents in this status")] = None,
    limit: Annotated[int, typer.Option(min=1, max=1000)] = 100,
    as_json: JsonOption = False,
) -> None:
    """List incidents, newest first (suspects' new audit entries are copied first)."""
    chosen = parse_status(status) if status else None
    with open_app() as app:
        found = app.respond.suspects.list_incidents(status=chosen, limit=limit)
    if as_json:
        emit_json([incident_dict(i) for i in found])
        return
    rows = [
        (i.id, i.severity.value, i.status.value, i.aware_at.isoformat(timespec="minutes"), i.title)
        for i in found
    ]
    emit_table("Incidents", ["id", "severity", "status", "aware at", "title"], rows)


@incidents_app.command("show")
def incidents_show(incident_id: IdArgument, as_json: JsonOption = False) -> None:
    """Show an incident: suspects, roles, tasks and its timeline (suspects' acts copied first)."""
    with open_app() as app:
        view = app.respond.suspects.show(incident_id)
    shown = view_dict(view)
    if as_json:
        emit_json(shown)
        return
    incident = view.incident
    console.print(f"[bold]{escape(incident.title)}[/] {incident.id}")
    console.print(f"{incident.severity.value}, {incident.status.value}; aware {incident.aware_at}")
    console.print(f"  suspects: {escape(', '.join(incident.principals) or 'none')}")
    for assignment in view.roles:
        console.print(f"  {assignment.role.value}: {escape(assignment.assignee)}")
    for task in view.tasks:
        console.print(f"  task {task.id} [{task.status.value}] {escape(task.title)}")
    rows = [
        (t["at"], t["kind"], t["actor"], t["text"], t["audit_seq"] or "") for t in shown["timeline"]
    ]
    emit_table("Timeline", ["at", "kind", "actor", "text", "audit seq"], rows)


@incidents_app.command("status")
def incidents_status(
    incident_id: IdArgument,
    to: Annotated[str, typer.Option("--to", help="The new status")],
    note: Annotated[str | None, typer.Option(help="Why")] = None,
) -> None:
    """Move an incident to another status (the allowed moves are in `incidents show`)."""
    with open_app() as app:
        moved = app.respond.incidents.transition(
            actor=local_actor(), incident_id=incident_id, status=parse_status(to), note=note
        )
    console.print(f"Incident {moved.id} is now {moved.status.value}")


@incidents_app.command("assign")
def incidents_assign(
    incident_id: IdArgument,
    role: Annotated[str, typer.Option(help="commander, scribe, liaison or dpo")],
    person: Annotated[str, typer.Option(help="Who takes the role")],
) -> None:
    """Give a role in the incident to someone."""
    with open_app() as app:
        app.respond.incidents.assign(
            actor=local_actor(), incident_id=incident_id, role=parse_role(role), assignee=person
        )
    console.print(f"{role} of incident {incident_id} is now {escape(person)}")


@incidents_app.command("task")
def incidents_task(
    incident_id: IdArgument,
    add: Annotated[str | None, typer.Option(help="Add a task with this title")] = None,
    owner: Annotated[str | None, typer.Option(help="Who owns the new task")] = None,
    done: Annotated[str | None, typer.Option(help="Mark the task with this id done")] = None,
) -> None:
    """Add a task to an incident, or mark one done."""
    if (add is None) == (done is None):
        raise InvalidInputError("give either --add TITLE or --done TASK_ID")
    actor = local_actor()
    with open_app() as app:
        service = app.respond.incidents
        if add is not None:
            task = service.add_task(actor=actor, incident_id=incident_id, title=add, owner=owner)
            console.print(f"Added task {task.id}")
        elif done is not None:
            service.complete_task(actor=actor, incident_id=incident_id, task_id=done)
            console.print(f"Task {done} is done")


@incidents_app.command("note")
def incidents_note(
    incident_id: IdArgument, text: Annotated[str, typer.Argument(help="The note")]
) -> None:
    """Add a note to the incident's timeline (facts and decisions, no personal data)."""
    with open_app() as app:
        app.respond.incidents.add_note(actor=local_actor(), incident_id=incident_id, text=text)
    console.print("Noted")


@playbook_app.command("list")
def playbook_list(as_json: JsonOption = False) -> None:
    """List the playbooks and their steps."""
    data: dict[str, dict[str, Any]] = {
        p.name: {
            "description": p.description,
            "steps": [{"action": s.action, "approval": s.approval} for s in p.steps],
        }
        for p in PLAYBOOKS.values()
    }
    if as_json:
        emit_json(data)
        return
    for name, body in data.items():
        steps = ", ".join(
            s["action"] + (" (approval)" if s["approval"] else "") for s in body["steps"]
        )
        console.print(f"[bold]{name}[/]: {body['description']}\n  {steps}")


@playbook_app.command("run")
def playbook_run(
    incident_id: IdArgument,
    name: Annotated[str, typer.Argument(help="The playbook")],
    param: Annotated[
        list[str] | None, typer.Option(help="A playbook parameter, e.g. principal=ann (repeat)")
    ] = None,
    approval: Annotated[
        str | None,
        typer.Option(help="A second person's approval id (four eyes), for steps that need one"),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Run a playbook's containment steps (a re-run resumes after the last step done).

    Steps marked (approval) need ``approvals request --kind containment --payload
    PLAYBOOK:INCIDENT``, approved by a second person, passed here as --approval ID."""
    params = dict(_pair(item) for item in param or [])
    playbook = playbook_named(name)
    actor = local_actor()
    with open_app() as app:
        context = app.respond.context(actor=actor, incident_id=incident_id)
        app.respond.incidents.get(incident_id)
        outcomes = app.respond.playbooks.run(
            context=context, playbook=playbook, params=params, approval=approval
        )
    if as_json:
        emit_json([{"step": o.index, "action": o.action, "result": o.result} for o in outcomes])
        return
    for outcome in outcomes:
        console.print(f"{outcome.index}. {outcome.action}: {outcome.result} ({outcome.summary})")


def _pair(item: str) -> tuple[str, str]:
    key, sep, value = item.partition("=")
    if not sep or not key or not value:
        raise InvalidInputError(f"--param {item!r}: use NAME=VALUE")
    return key, value


@incidents_app.command("blast-radius")
def incidents_blast_radius(
    principal: Annotated[list[str], typer.Option(help="A suspect audit actor (repeat)")],
    since: Annotated[str, typer.Option(help="Window start: 7d, 24h or an ISO time")],
    until: Annotated[str | None, typer.Option(help="Window end (ISO time; default now)")] = None,
    incident: Annotated[str | None, typer.Option(help="Record it on this incident")] = None,
    keys_exposed: Annotated[bool, typer.Option(help="The keys are known to be exposed")] = False,
    output_format: Annotated[str, typer.Option("--format", help="json or csv")] = "json",
    out: Annotated[Path | None, typer.Option(help="Write to this file")] = None,
) -> None:
    """Who was touched, how, where, and whether the encryption exemption applies; with proofs."""
    if output_format not in ("json", "csv"):
        raise InvalidInputError("--format must be json or csv")
    now = datetime.now(UTC)
    scope = BlastScope(
        tuple(principal),
        parse_since(since, now=now),
        parse_since(until, now=now) if until else now,
        keys_exposed,
    )
    with open_app() as app, _spinner("Reading the audit log"):
        radius = app.respond.blast_radius.compute(
            actor=local_actor(), scope=scope, incident_id=incident
        )
    text = as_csv(radius) if output_format == "csv" else json.dumps(as_json(radius), indent=2)
    if out is None:
        print(text)
        return
    out.write_text(text, encoding="utf-8")
    console.print(f"{len(radius.customers)} customers touched; written to {out}")


def _spinner(label: str) -> Progress:
    progress = Progress(
        SpinnerColumn(), TextColumn(label), TimeElapsedColumn(), console=console, transient=True
    )
    progress.add_task(label, total=None)
    return progress


@incidents_app.command("deadlines")
def incidents_deadlines(
    incident_id: IdArgument,
    state: Annotated[
        list[str] | None, typer.Option(help="Affected residents of a US state, e.g. CA:600")
    ] = None,
    eu: Annotated[bool, typer.Option(help="EU/EEA (or unknown) residents affected")] = True,
    payment: Annotated[bool, typer.Option(help="Card data involved")] = False,
    rules: Annotated[Path | None, typer.Option(help="A rules file instead of the built-in")] = None,
    as_json: JsonOption = False,
) -> None:
    """Notice deadlines from the moment of awareness, with time left; overdue ones flagged."""
    exposure = Exposure(parse_state_counts(state or []), eu, payment)
    table = load_rules(rules.read_text(encoding="utf-8"), source=str(rules)) if rules else None
    with open_app() as app:
        incident = app.respond.incidents.get(incident_id)
        now = app.clock.now()
    found = compute_deadlines(
        table or load_rules(), aware_at=incident.aware_at, now=now, exposure=exposure
    )
    if as_json:
        emit_json([d.as_dict() for d in found])
        return
    rows = [
        (
            d.rule.regime,
            d.rule.title,
            d.due_at.isoformat(timespec="minutes") if d.due_at else "without unreasonable delay",
            _left(d.seconds_left),
            "OVERDUE" if d.overdue else "",
        )
        for d in found
    ]
    emit_table("Deadlines", ["regime", "what", "due", "left", ""], rows)


def _left(seconds: int | None) -> str:
    if seconds is None:
        return ""
    hours = abs(seconds) // 3600
    text = f"{hours // 24}d {hours % 24}h"
    return text if seconds >= 0 else f"-{text}"
