"""What ``tokens create`` and ``staff create`` share: a role grant needs four eyes."""

from __future__ import annotations

import shlex
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer

from strongroom.access.rolegrants import role_grant_payload
from strongroom.cli.output import console
from strongroom.core.errors import ApprovalRequiredError

ApprovalOption = Annotated[
    str | None,
    typer.Option(help="A second person's approval of this role grant (needed for a new name)"),
]


@contextmanager
def explain_role_grant(name: str, role: str, approval: str | None) -> Iterator[None]:
    """Without ``--approval``, a refused grant prints how to ask for one and exits 2 (the refusal
    is audited by the service; nothing was created)."""
    try:
        yield
    except ApprovalRequiredError:
        if approval is not None:
            raise  # a bad approval: the service's message says what is wrong with it
        payload = shlex.quote(role_grant_payload(name, role))
        lines = (
            f"Granting the role {role} to {name} needs a second person's approval.",
            "Request it with:",
            f"  strongroom approvals request --kind role_grant --payload {payload}",
            "have another person approve it, then run this again with --approval ID.",
        )
        for line in lines:
            console.print(line, markup=False)
        raise typer.Exit(code=2) from None
