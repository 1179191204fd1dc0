"""``strongroom audit verify``: recompute the audit chain and say where it breaks."""

from __future__ import annotations

from typing import Annotated

import typer

from strongroom.audit.service import verify_audit_log
from strongroom.cli.context import open_app
from strongroom.cli.output import console, emit_json

audit_app = typer.Typer(help="The tamper-evident audit log.", no_args_is_help=True)


@audit_app.command("verify")
def audit_verify(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Check every entry's hash and link; exit non-zero at the first changed or missing entry."""
    with open_app() as app:
        report = verify_audit_log(uow_factory=app.uow_factory)
    if as_json:
        emit_json(
            {
                "ok": True,
                "entries_checked": report.entries_checked,
                "head_seq": report.head_seq,
                "head_hash": report.head_hash_hex,
            }
        )
        return
    console.print(
        f"[green]OK[/]: {report.entries_checked} audit entries verified; "
        f"head {report.head_seq} {report.head_hash_hex[:16]}..."
    )
