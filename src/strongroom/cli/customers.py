"""``strongroom customers show``: a profile as a staff member's token allows it."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from strongroom.access.profiles import CustomerView
from strongroom.access.tokens import authenticate_token
from strongroom.cli.context import current_settings, open_app
from strongroom.cli.output import console, emit_json, emit_table
from strongroom.core.errors import InvalidInputError, NotFoundError
from strongroom.core.models import CustomerId

customers_app = typer.Typer(
    help="Customer profiles, read through the access policy.", no_args_is_help=True
)


@customers_app.command("show")
def customers_show(
    customer_id: Annotated[str | None, typer.Argument(help="The customer's id")] = None,
    email: Annotated[str | None, typer.Option(help="Find the customer by email instead")] = None,
    phone: Annotated[str | None, typer.Option(help="Find the customer by phone instead")] = None,
    token: Annotated[
        str | None,
        typer.Option(help="Staff API token; default STRONGROOM_TOKEN", show_default=False),
    ] = None,
    purpose: Annotated[
        str | None, typer.Option(help="Why you need it; default: your role's")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Show a customer profile with PII masked unless your token's role may read it."""
    chosen = [given for given in (customer_id, email, phone) if given is not None]
    if len(chosen) != 1:
        raise InvalidInputError("give exactly one of: a customer id, --email, --phone")
    settings = current_settings()
    staff_token = token or (settings.token.get_secret_value() if settings.token else None)
    with open_app(settings) as app:
        actor = authenticate_token(uow_factory=app.uow_factory, audit=app.audit, token=staff_token)
        if customer_id is not None:
            views = [
                app.profiles.read_customer(
                    actor=actor, customer_id=CustomerId(customer_id), purpose=purpose
                )
            ]
        else:
            field, value = ("email", email) if email is not None else ("phone", phone or "")
            views = app.profiles.find_customers(
                actor=actor, field=field, value=value, purpose=purpose
            )
    if not views:
        raise NotFoundError("no customer has that email address or phone number")
    if as_json:
        emit_json([_as_dict(view) for view in views])
        return
    for view in views:
        _print_view(view)


def _as_dict(view: CustomerView) -> dict[str, Any]:
    return {
        "id": view.id,
        "created_at": view.created_at.isoformat(),
        "updated_at": view.updated_at.isoformat(),
        "traits": view.traits,
        "masked_fields": list(view.masked_fields),
        "identifiers": [{"kind": kind, "value": value} for kind, value in view.identifiers],
        "consents": view.consents,
        "event_count": view.event_count,
        "order_count": view.order_count,
        "order_total": str(view.order_total),
        "cards": [
            {"token": card.token, "brand": card.brand, "last4": card.last4} for card in view.cards
        ],
    }


def _print_view(view: CustomerView) -> None:
    console.print(f"[bold]Customer {view.id}[/]  created {view.created_at:%Y-%m-%d %H:%M} UTC")
    rows = [
        (name, value, "masked" if name in view.masked_fields else "")
        for name, value in sorted(view.traits.items())
    ]
    emit_table("Traits", ["field", "value", ""], rows)
    emit_table("Identifiers", ["kind", "value"], list(view.identifiers))
    console.print(
        f"{view.event_count} events, {view.order_count} orders totalling {view.order_total}"
    )
