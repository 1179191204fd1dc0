"""``strongroom cards detokenize``: the card number behind a token, for the payments role."""

from __future__ import annotations

from typing import Annotated

import typer

from strongroom.access.tokens import authenticate_token
from strongroom.cli.context import current_settings, open_app
from strongroom.cli.output import console, emit_json

cards_app = typer.Typer(
    help="Card tokens: reveal a card number (payments role, stated purpose, audited).",
    no_args_is_help=True,
)


@cards_app.command("detokenize")
def cards_detokenize(
    card_token: Annotated[
        str, typer.Argument(metavar="TOKEN", help="The card token, e.g. from an order")
    ],
    purpose: Annotated[
        str | None,
        typer.Option(help="Why you need the number (required), e.g. payment", show_default=False),
    ] = None,
    token: Annotated[
        str | None,
        typer.Option(help="Staff API token; default STRONGROOM_TOKEN", show_default=False),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Reveal the card number behind TOKEN; needs cards.detokenize and --purpose; audited."""
    settings = current_settings()
    staff_token = token or (settings.token.get_secret_value() if settings.token else None)
    with open_app(settings) as app:
        actor = authenticate_token(uow_factory=app.uow_factory, audit=app.audit, token=staff_token)
        revealed = app.cards.detokenize(actor=actor, token=card_token, purpose=purpose)
    if as_json:
        emit_json(
            {
                "token": revealed.token,
                "card_number": revealed.card_number,
                "last4": revealed.last4,
                "brand": revealed.brand,
            }
        )
        return
    console.print(f"{revealed.brand} ending {revealed.last4}: {revealed.card_number}")
