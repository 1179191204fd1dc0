"""``strongroom dsar``: track data-subject requests (``privacy.manage``): log them with their legal
due date, record identity verification, list them with the time left, close them.

``strongroom privacy export|erase|rectify`` carry requests out; ``dsar export`` and
``dsar rectify`` are the same acts under their earlier names.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from strongroom.cli.context import open_app, staff_actor
from strongroom.cli.output import emit_json, emit_table
from strongroom.cli.privacy import ValueOption, export_request, rectify_request
from strongroom.core.models import CustomerId
from strongroom.core.privacy import DataSubjectRequest, RequestKind

dsar_app = typer.Typer(help="Data-subject requests: log, verify, list, close (`privacy` acts).")

TokenOption = Annotated[
    str | None, typer.Option(help="Staff API token; default STRONGROOM_TOKEN", show_default=False)
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]


@dsar_app.command("open")
def dsar_open(
    customer_id: Annotated[str, typer.Argument(help="The customer's id")],
    kind: Annotated[RequestKind, typer.Option(help="What the person asks for")],
    received_at: Annotated[
        datetime | None, typer.Option(help="When it arrived (default: now), e.g. 2026-11-02")
    ] = None,
    verified: Annotated[
        str | None, typer.Option(help="How identity was verified, if it already was")
    ] = None,
    token: TokenOption = None,
    as_json: JsonOption = False,
) -> None:
    """Log a data-subject request; it is due one month after receipt."""
    with open_app() as app:
        request = app.privacy.requests.open(
            actor=staff_actor(app, token),
            customer_id=CustomerId(customer_id),
            kind=kind,
            received_at=received_at,
            verification=verified,
        )
        now = app.clock.now()
    _show_requests([request], now=now, as_json=as_json)


@dsar_app.command("list")
def dsar_list(
    all_requests: Annotated[bool, typer.Option("--all", help="Closed requests too")] = False,
    token: TokenOption = None,
    as_json: JsonOption = False,
) -> None:
    """Requests by due date, with the time left; overdue ones are flagged."""
    with open_app() as app:
        requests = app.privacy.requests.list(
            actor=staff_actor(app, token), open_only=not all_requests
        )
        now = app.clock.now()
    _show_requests(requests, now=now, as_json=as_json)


@dsar_app.command("verify")
def dsar_verify(
    request_id: Annotated[str, typer.Argument(help="The request's id")],
    how: Annotated[str, typer.Option(help="How the requester's identity was verified")],
    token: TokenOption = None,
    as_json: JsonOption = False,
) -> None:
    """Record how the requester's identity was verified."""
    with open_app() as app:
        request = app.privacy.requests.verify(
            actor=staff_actor(app, token), request_id=request_id, verification=how
        )
        now = app.clock.now()
    _show_requests([request], now=now, as_json=as_json)


@dsar_app.command("export")
def dsar_export(
    request_id: Annotated[str, typer.Argument(help="A verified access request's id")],
    out: Annotated[Path, typer.Option(help="New file to write (JSON, or a zip with --csv)")],
    csv_bundle: Annotated[bool, typer.Option("--csv", help="A zip of CSV tables")] = False,
    token: TokenOption = None,
) -> None:
    """The same as `privacy export`, by request id: everything held on the requester."""
    export_request(token=token, request_id=request_id, out=out, csv_bundle=csv_bundle)


@dsar_app.command("rectify")
def dsar_rectify(
    request_id: Annotated[str, typer.Argument(help="A verified rectification request's id")],
    field: Annotated[str, typer.Option(help="The customer field to correct, e.g. last_name")],
    value: ValueOption,
    token: TokenOption = None,
) -> None:
    """The same as `privacy rectify`, by request id: correct one field of the profile."""
    rectify_request(token=token, request_id=request_id, field=field, value=value)


@dsar_app.command("close")
def dsar_close(
    request_id: Annotated[str, typer.Argument(help="The request's id")],
    outcome: Annotated[str, typer.Option(help="What was done, or why it was refused")],
    completed: Annotated[
        bool, typer.Option("--completed/--refused", help="Completed, or refused")
    ] = True,
    token: TokenOption = None,
    as_json: JsonOption = False,
) -> None:
    """Close a request as completed (identity verified; erasures carried out) or refused."""
    with open_app() as app:
        request = app.privacy.requests.close(
            actor=staff_actor(app, token),
            request_id=request_id,
            completed=completed,
            outcome=outcome,
        )
        now = app.clock.now()
    _show_requests([request], now=now, as_json=as_json)


def _show_requests(requests: list[DataSubjectRequest], *, now: datetime, as_json: bool) -> None:
    rows = [_request_row(request, now) for request in requests]
    if as_json:
        emit_json(rows)
        return
    emit_table(
        "Data-subject requests",
        ["id", "customer", "kind", "status", "received", "due", "time left"],
        [
            [
                row["id"],
                row["customer_id"],
                row["kind"],
                row["status"],
                str(row["received_at"])[:10],
                str(row["due_at"])[:10],
                f"[red]{row['time_left']}[/]" if row["overdue"] else row["time_left"],
            ]
            for row in rows
        ],
    )


def _request_row(request: DataSubjectRequest, now: datetime) -> dict[str, object]:
    seconds = request.time_left(now)
    open_ = request.status.is_open
    return {
        "id": request.id,
        "customer_id": request.customer_id,
        "kind": request.kind.value,
        "status": request.status.value,
        "received_at": request.received_at.isoformat(),
        "due_at": request.due_at.isoformat(),
        "overdue": request.is_overdue(now),
        "time_left": _duration(seconds) if open_ else "closed",
        "verification": request.verification,
        "outcome": request.outcome,
    }


def _duration(seconds: float) -> str:
    sign = "overdue by " if seconds < 0 else ""
    hours = int(abs(seconds) // 3600)
    return f"{sign}{hours // 24}d {hours % 24}h"
