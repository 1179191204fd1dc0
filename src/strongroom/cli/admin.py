"""``strongroom tokens ...``: staff API tokens, from the console (sources: cli/sources.py)."""

from __future__ import annotations

from typing import Annotated

import typer

from strongroom.access.tokens import issue_token, revoke_token
from strongroom.cli.context import local_actor, open_app
from strongroom.cli.grants import ApprovalOption, explain_role_grant
from strongroom.cli.output import console, emit_json

tokens_app = typer.Typer(help="Staff API tokens.", no_args_is_help=True)

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


@tokens_app.command("create")
def tokens_create(
    name: Annotated[str, typer.Option(help="The staff member's name (created if new)")],
    role: Annotated[str, typer.Option(help="The role, e.g. support, dpo, admin or auditor")],
    approval: ApprovalOption = None,
    as_json: JsonOption = False,
) -> None:
    """Issue a staff API token and print it (shown once; only its hash is stored).

    A new name is a role grant and needs a second person's approval (four eyes); a further
    token for someone who already holds the role does not."""
    with open_app() as app, explain_role_grant(name, role, approval):
        issued = issue_token(
            uow_factory=app.uow_factory,
            audit=app.audit,
            clock=app.clock,
            actor=local_actor(),
            principal_name=name,
            role=role,
            approval_id=approval,
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
