"""``strongroom consent``: record and read a customer's consent decisions (``consent.manage``)."""

from __future__ import annotations

from typing import Annotated

import typer

from strongroom.cli.context import open_app, staff_actor
from strongroom.cli.output import console, emit_json, emit_table
from strongroom.core.models import CustomerId

consent_app = typer.Typer(help="The consent ledger: record and read consent decisions.")

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
