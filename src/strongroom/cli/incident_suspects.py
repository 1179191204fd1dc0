"""``strongroom incidents suspect add|remove``: whose audit entries the timeline copies."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.markup import escape

from strongroom.cli.context import local_actor, open_app
from strongroom.cli.monitor import parse_since
from strongroom.cli.output import console, emit_json
from strongroom.respond.models import incident_dict

suspect_app = typer.Typer(
    help="Suspects: principals whose audit entries are copied onto the timeline.",
    no_args_is_help=True,
)
IdArgument = Annotated[str, typer.Argument(help="The incident id")]
LabelArgument = Annotated[
    str, typer.Argument(help="An audit actor label KIND:NAME, e.g. staff:ann or vendor:acme")
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]


@suspect_app.command("add")
def suspect_add(
    incident_id: IdArgument,
    label: LabelArgument,
    since: Annotated[
        str | None,
        typer.Option(help="Copy entries from: 7d, 24h or an ISO time (default: awareness)"),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Make a principal a suspect: its audit entries are copied onto the timeline."""
    start = parse_since(since, now=datetime.now(UTC)) if since else None
    with open_app() as app:
        incident = app.respond.incidents.add_suspect(
            actor=local_actor(), incident_id=incident_id, label=label, since=start
        )
    if as_json:
        emit_json(incident_dict(incident))
        return
    console.print(f"{escape(label)} is now a suspect of incident {incident.id}")


@suspect_app.command("remove")
def suspect_remove(
    incident_id: IdArgument, label: LabelArgument, as_json: JsonOption = False
) -> None:
    """Stop copying a principal's audit entries; what was copied stays on the timeline."""
    with open_app() as app:
        incident = app.respond.incidents.remove_suspect(
            actor=local_actor(), incident_id=incident_id, label=label
        )
    if as_json:
        emit_json(incident_dict(incident))
        return
    console.print(f"{escape(label)} is no longer a suspect of incident {incident.id}")
