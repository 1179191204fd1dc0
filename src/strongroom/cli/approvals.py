"""``strongroom approvals request|approve|list``: four eyes on sensitive acts.

The acts that need an approval (``keys rotate``, ``policy apply``, role grants, bulk exports)
print the exact ``approvals request`` line to run; a second person approves it, and the act is
then run again with ``--approval ID``.
"""

from __future__ import annotations

from typing import Annotated

import typer

from strongroom.cli.context import local_actor, open_app
from strongroom.cli.output import console, emit_json, emit_table
from strongroom.core.errors import InvalidInputError
from strongroom.core.policy import Approval, ApprovalKind

approvals_app = typer.Typer(
    help="Four eyes: request and approve sensitive acts.", no_args_is_help=True
)
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]
KINDS = ", ".join(kind.value for kind in ApprovalKind)


def approval_json(approval: Approval) -> dict[str, str | None]:
    return {
        "id": approval.id,
        "kind": approval.kind.value,
        "summary": approval.summary,
        "requested_by": approval.requested_by,
        "requested_at": approval.requested_at.isoformat(),
        "expires_at": approval.expires_at.isoformat(),
        "approved_by": approval.approved_by,
        "used_at": approval.used_at.isoformat() if approval.used_at else None,
    }


@approvals_app.command("request")
def approvals_request(
    kind: Annotated[str, typer.Option(help=f"What is to be done: {KINDS}")],
    payload: Annotated[
        str, typer.Option(help="Exactly what, as the act names it (e.g. field-kek)")
    ],
    as_json: JsonOption = False,
) -> None:
    """Ask a second person to approve one act; prints the approval id."""
    try:
        wanted = ApprovalKind(kind)
    except ValueError:
        raise InvalidInputError(f"--kind must be one of {KINDS}, not {kind!r}") from None
    with open_app() as app:
        approval = app.policy.approvals.request(
            actor=local_actor(), kind=wanted, payload=payload, summary=f"{kind} {payload}"
        )
    if as_json:
        emit_json(approval_json(approval))
        return
    console.print(f"Approval {approval.id} requested; another person runs:")
    console.print(f"  strongroom approvals approve {approval.id}")


@approvals_app.command("approve")
def approvals_approve(
    approval_id: Annotated[str, typer.Argument(help="The approval id")], as_json: JsonOption = False
) -> None:
    """Approve someone else's request (never one's own)."""
    with open_app() as app:
        approval = app.policy.approvals.approve(actor=local_actor(), approval_id=approval_id)
    if as_json:
        emit_json(approval_json(approval))
        return
    console.print(f"Approved {approval.id} ({approval.summary}) for {approval.requested_by}")


@approvals_app.command("list")
def approvals_list(as_json: JsonOption = False) -> None:
    """Every approval request, newest first."""
    with open_app() as app:
        approvals = app.policy.approvals.list()
    if as_json:
        emit_json([approval_json(a) for a in approvals])
        return
    rows = [
        (a.id, a.kind.value, a.summary, a.requested_by, a.approved_by or "", a.used_at or "")
        for a in approvals
    ]
    emit_table("Approvals", ["id", "kind", "summary", "by", "approved by", "used"], rows)
