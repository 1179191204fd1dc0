"""``strongroom retention run``: delete data past its retention period, after a dry run.

Run by the operator holding the root passphrase; staff use ``POST /api/v1/retention/run``.
"""

from __future__ import annotations

from typing import Annotated

import typer

from strongroom.cli.backups import progress_bars
from strongroom.cli.context import current_settings, local_actor, open_app
from strongroom.cli.output import console, emit_json, emit_table

retention_app = typer.Typer(help="Delete data past its retention period.")

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]


@retention_app.command("run")
def retention_run(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Only count what is past its period")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Delete events and orders past their retention period (see the retention settings)."""
    settings = current_settings()
    with open_app(settings) as app, progress_bars(enabled=not as_json) as progress:
        counts = app.privacy.retention.run(
            actor=local_actor(), rules=app.privacy.rules, dry_run=dry_run, progress=progress
        )
    rows = [
        {
            "records": c.rule.records,
            "data_class": c.rule.data_class,
            "keep_months": c.rule.months,
            "cutoff": c.cutoff.isoformat(),
            "due": c.due,
            "deleted": c.deleted,
        }
        for c in counts
    ]
    if as_json:
        emit_json({"dry_run": dry_run, "rules": rows})
        return
    emit_table("Retention", list(rows[0]), [list(row.values()) for row in rows])
    if dry_run:
        console.print("Dry run: nothing was deleted. Run without --dry-run to delete.")
