"""``strongroom consent|dsar|holds|retention``: data-subject rights from the command line.

Every command acts as the staff member whose token is given (``--token`` or STRONGROOM_TOKEN),
except ``retention run``, which the operator holding the root passphrase runs.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from strongroom.bootstrap.privacy import export_subject_files
from strongroom.cli.backups import progress_bars
from strongroom.cli.context import current_settings, local_actor, open_app, staff_actor
from strongroom.cli.output import console, emit_json, emit_table
from strongroom.core.models import CustomerId
from strongroom.core.privacy import DataSubjectRequest, RequestKind

consent_app = typer.Typer(help="The consent ledger: record and read consent decisions.")
dsar_app = typer.Typer(help="Data-subject requests: log, verify, export, close.")
holds_app = typer.Typer(help="Legal holds: no export or erasure of a held customer.")
retention_app = typer.Typer(help="Delete data past its retention period.")

TokenOption = Annotated[
    str | None, typer.Option(help="Staff API token; default STRONGROOM_TOKEN", show_default=False)
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]


@consent_app.command("record")
def consent_record(
    customer_id: Annotated[str, typer.Argument(help="The customer's id")],
    purpose: Annotated[str, typer.Option(help="marketing, analytics or third_party_sharing")],
    granted: Annotated[bool, typer.Option("--granted/--withdrawn", help="The customer's decision")],
    wording: Annotated[
        str | None, typer.Option(help="Version of the consent text the customer saw")
    ] = None,
    token: TokenOption = None,
    as_json: JsonOption = False,
) -> None:
    """Record a consent decision the customer made outside tracking (a form, call or letter)."""
    with open_app() as app:
        consent = app.privacy.consents.record(
            actor=staff_actor(app, token),
            customer_id=CustomerId(customer_id),
            purpose=purpose,
            granted=granted,
            wording_version=wording,
        )
    if as_json:
        emit_json(
            {
                "purpose": consent.purpose,
                "granted": consent.granted,
                "recorded_at": consent.recorded_at.isoformat(),
            }
        )
        return
    state = "granted" if consent.granted else "withdrawn"
    console.print(f"Recorded: {consent.purpose} {state} for customer {customer_id}")


@consent_app.command("history")
def consent_history(
    customer_id: Annotated[str, typer.Argument(help="The customer's id")],
    token: TokenOption = None,
    as_json: JsonOption = False,
) -> None:
    """Every consent decision of a customer, oldest first."""
    with open_app() as app:
        history = app.privacy.consents.read_history(
            actor=staff_actor(app, token), customer_id=CustomerId(customer_id)
        )
    rows = [
        {
            "recorded_at": c.recorded_at.isoformat(),
            "purpose": c.purpose,
            "granted": c.granted,
            "source": c.source_id,
            "wording_version": c.wording_version,
        }
        for c in history
    ]
    if as_json:
        emit_json(rows)
        return
    emit_table(
        "Consent history",
        ["recorded", "purpose", "decision", "source", "wording"],
        [
            [
                c.recorded_at.isoformat(),
                c.purpose,
                "granted" if c.granted else "withdrawn",
                c.source_id,
                c.wording_version or "",
            ]
            for c in history
        ],
    )


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
    """Everything held on the requester, decrypted, with who accessed it (audit log)."""
    with open_app() as app:
        export = export_subject_files(
            app.privacy,
            actor=staff_actor(app, token),
            request_id=request_id,
            out=out,
            csv_bundle=csv_bundle,
        )
    counts = ", ".join(f"{len(rows)} {name}" for name, rows in export.tables.items())
    console.print(f"Wrote {out} (owner-only): {counts}")
    console.print("It holds the person's data in plain text: send it securely, then delete it.")


@dsar_app.command("rectify")
def dsar_rectify(
    request_id: Annotated[str, typer.Argument(help="A verified rectification request's id")],
    field: Annotated[str, typer.Option(help="The customer field to correct, e.g. last_name")],
    value: Annotated[
        str, typer.Option(prompt=True, hide_input=True, help="The correct value (prompted)")
    ],
    token: TokenOption = None,
) -> None:
    """Correct one field of the requester's profile (encrypted and re-indexed as on ingest)."""
    with open_app() as app:
        app.privacy.rectifier.rectify(
            actor=staff_actor(app, token), request_id=request_id, field=field, value=value
        )
    console.print(f"Rectified {field} for request {request_id}")


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
        "overdue": open_ and seconds < 0,
        "time_left": _duration(seconds) if open_ else "closed",
        "verification": request.verification,
        "outcome": request.outcome,
    }


def _duration(seconds: float) -> str:
    sign = "overdue by " if seconds < 0 else ""
    hours = int(abs(seconds) // 3600)
    return f"{sign}{hours // 24}d {hours % 24}h"


@holds_app.command("place")
def holds_place(
    customer_id: Annotated[str, typer.Argument(help="The customer's id")],
    reason: Annotated[str, typer.Option(help="Why, e.g. a case reference; no personal data")],
    token: TokenOption = None,
) -> None:
    """Place a legal hold: the customer is neither exported nor erased until it is released."""
    with open_app() as app:
        hold = app.privacy.holds.place(
            actor=staff_actor(app, token), customer_id=CustomerId(customer_id), reason=reason
        )
    console.print(f"Placed legal hold {hold.id} on customer {customer_id}")


@holds_app.command("release")
def holds_release(
    hold_id: Annotated[str, typer.Argument(help="The hold's id")],
    token: TokenOption = None,
) -> None:
    """Release a legal hold."""
    with open_app() as app:
        hold = app.privacy.holds.release(actor=staff_actor(app, token), hold_id=hold_id)
    console.print(f"Released legal hold {hold.id} on customer {hold.customer_id}")


@holds_app.command("list")
def holds_list(
    all_holds: Annotated[bool, typer.Option("--all", help="Released holds too")] = False,
    token: TokenOption = None,
    as_json: JsonOption = False,
) -> None:
    """Legal holds, oldest first."""
    with open_app() as app:
        holds = app.privacy.holds.list(actor=staff_actor(app, token), active_only=not all_holds)
    rows = [
        {
            "id": h.id,
            "customer_id": h.customer_id,
            "reason": h.reason,
            "placed_by": h.placed_by,
            "placed_at": h.placed_at.isoformat(),
            "released_at": h.released_at.isoformat() if h.released_at else None,
        }
        for h in holds
    ]
    if as_json:
        emit_json(rows)
        return
    emit_table("Legal holds", list(rows[0]) if rows else [], [list(row.values()) for row in rows])


@retention_app.command("run")
def retention_run(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Only count what is past its period")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Delete events and orders past their retention period (see the retention settings)."""
    settings = current_settings()
    with open_app(settings) as app, progress_bars(enabled=not as_json) as progress:
        counts = app.privacy.retention.run(
            actor=local_actor(), rules=app.privacy.rules, dry_run=dry_run, progress=progress
        )
    rows = [
        {
            "records": c.rule.records,
            "data_class": c.rule.data_class,
            "keep_months": c.rule.months,
            "cutoff": c.cutoff.isoformat(),
            "due": c.due,
            "deleted": c.deleted,
        }
        for c in counts
    ]
    if as_json:
        emit_json({"dry_run": dry_run, "rules": rows})
        return
    emit_table("Retention", list(rows[0]), [list(row.values()) for row in rows])
    if dry_run:
        console.print("Dry run: nothing was deleted. Run without --dry-run to delete.")
