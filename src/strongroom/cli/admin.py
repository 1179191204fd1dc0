"""``strongroom sources ...`` and ``strongroom tokens ...``: administration from the console."""

from __future__ import annotations

from typing import Annotated

import typer

from strongroom.access.tokens import issue_token, revoke_token
from strongroom.cli.context import local_actor, open_app
from strongroom.cli.output import console, emit_json, emit_table
from strongroom.collect.sources import create_source, list_sources
from strongroom.core.models import Channel

sources_app = typer.Typer(
    help="Sources of tracking data and their write keys.", no_args_is_help=True
)
tokens_app = typer.Typer(help="Staff API tokens.", no_args_is_help=True)

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


@sources_app.command("create")
def sources_create(
    name: Annotated[str, typer.Argument(help="A short name, e.g. web-shop")],
    channel: Annotated[Channel, typer.Option(help="Where the data comes from")],
    as_json: JsonOption = False,
) -> None:
    """Create a source and print its write key (shown once; only its hash is stored)."""
    with open_app() as app:
        created = create_source(
            uow_factory=app.uow_factory,
            audit=app.audit,
            clock=app.clock,
            actor=local_actor(),
            name=name,
            channel=channel,
        )
    source = created.source
    if as_json:
        emit_json(
            {
                "id": source.id,
                "name": source.name,
                "channel": source.channel.value,
                "write_key": created.write_key,
            }
        )
        return
    console.print(f"Created source [bold]{source.name}[/] ({source.channel.value}), id {source.id}")
    console.print(f"Write key (shown once, store it now): [bold]{created.write_key}[/]")


@sources_app.command("list")
def sources_list(as_json: JsonOption = False) -> None:
    """List sources."""
    with open_app() as app:
        sources = list_sources(uow_factory=app.uow_factory)
    rows = [
        (s.name, s.channel.value, s.id, s.created_at.isoformat(), s.disabled_at) for s in sources
    ]
    if as_json:
        keys = ("name", "channel", "id", "created_at", "disabled_at")
        emit_json([dict(zip(keys, row, strict=True)) for row in rows])
        return
    emit_table("Sources", ["name", "channel", "id", "created", "disabled"], rows)


@tokens_app.command("create")
def tokens_create(
    name: Annotated[str, typer.Option(help="The staff member's name (created if new)")],
    role: Annotated[str, typer.Option(help="admin, support, dpo or auditor")],
    as_json: JsonOption = False,
) -> None:
    """Issue a staff API token and print it (shown once; only its hash is stored)."""
    with open_app() as app:
        issued = issue_token(
            uow_factory=app.uow_factory,
            audit=app.audit,
            clock=app.clock,
            actor=local_actor(),
            principal_name=name,
            role=role,
        )
    if as_json:
        emit_json(
            {
                "id": issued.id,
                "name": issued.principal_name,
                "role": issued.role,
                "token": issued.token,
            }
        )
        return
    console.print(f"Token {issued.id} for [bold]{issued.principal_name}[/] ({issued.role})")
    console.print(f"Token (shown once, store it now): [bold]{issued.token}[/]")


@tokens_app.command("revoke")
def tokens_revoke(token_id: Annotated[str, typer.Argument(help="The token's id")]) -> None:
    """Revoke a token: requests with it fail from now on."""
    with open_app() as app:
        revoke_token(
            uow_factory=app.uow_factory,
            audit=app.audit,
            clock=app.clock,
            actor=local_actor(),
            token_id=token_id,
        )
    console.print(f"Revoked token {token_id}")
