"""``strongroom policy show|diff|apply``: the access policy file (roles, purposes, limits)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from strongroom.access.policychange import policy_payload
from strongroom.access.policyfile import active_policy, diff_policies, read_policy_file
from strongroom.cli.context import local_actor, open_app
from strongroom.cli.output import console

policy_app = typer.Typer(
    help="The access policy: roles, purposes, PII rules, volume limits.", no_args_is_help=True
)
FileArgument = Annotated[
    Path, typer.Argument(help="A policy file (TOML)", exists=True, dir_okay=False)
]


@policy_app.command("show")
def policy_show() -> None:
    """Print the policy in force (its version first)."""
    with open_app():
        policy = active_policy()
    typer.echo(f"# version {policy.version}, sha256 {policy.digest}")
    typer.echo(policy.text)


@policy_app.command("diff")
def policy_diff(path: FileArgument) -> None:
    """Validate a policy file and show how it differs from the policy in force."""
    new = read_policy_file(path)
    with open_app():
        old = active_policy()
    typer.echo(diff_policies(old, new) or "no difference")


@policy_app.command("apply")
def policy_apply(
    path: FileArgument,
    approval: Annotated[
        str | None, typer.Option(help="The id of a second person's approval of this file")
    ] = None,
) -> None:
    """Apply a policy file; it needs an approval (four eyes) for exactly this file."""
    new = read_policy_file(path)
    if approval is None:
        console.print("A policy change needs a second person's approval. Request it with:")
        console.print(
            f"  strongroom approvals request --kind policy_change --payload {policy_payload(new)}"
        )
        raise typer.Exit(code=2)
    with open_app() as app:
        old = active_policy()
        app.policy.changes.apply(actor=local_actor(), policy=new, approval_id=approval)
    console.print(f"Policy {old.version} -> {new.version} applied (approval {approval})")
