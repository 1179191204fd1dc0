"""``strongroom holds``: legal holds, placed and released with a reason (``privacy.manage``)."""

from __future__ import annotations

from typing import Annotated

import typer

from strongroom.cli.context import open_app, staff_actor
from strongroom.cli.output import console, emit_json, emit_table
from strongroom.core.models import CustomerId

holds_app = typer.Typer(help="Legal holds: no export or erasure of a held customer.")

TokenOption = Annotated[
    str | None, typer.Option(help="Staff API token; default STRONGROOM_TOKEN", show_default=False)
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]


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
