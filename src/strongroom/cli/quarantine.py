"""``strongroom quarantine list|release|purge``: the security team's review of refused files.

Each command acts as the staff member whose token it is given (the ``security`` role) and is
audited. Releasing writes the decrypted file to a new file the operator names, and says why.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn

from strongroom.cli.context import current_settings, open_app, staff_actor
from strongroom.cli.output import console, emit_json, emit_table
from strongroom.core.errors import ConflictError, InvalidInputError
from strongroom.core.intake import QuarantinedFile

quarantine_app = typer.Typer(
    help="Files refused by intake, kept sealed: list, release for review, purge.",
    no_args_is_help=True,
)
TokenOption = Annotated[
    str | None, typer.Option(help="Staff API token; default STRONGROOM_TOKEN", show_default=False)
]


def _as_dict(item: QuarantinedFile) -> dict[str, Any]:
    return {
        "id": item.id,
        "channel": item.channel.value,
        "reason": item.reason,
        "detector": item.detector,
        "signature": item.signature,
        "sha256": item.sha256,
        "size": item.size,
        "original_name": item.original_name,
        "quarantined_at": item.quarantined_at.isoformat(),
        "quarantined_by": item.quarantined_by,
        "status": item.status.value,
        "handled_by": item.handled_by,
        "handled_reason": item.handled_reason,
    }


@quarantine_app.command("list")
def quarantine_list(
    limit: Annotated[int, typer.Option(min=1, max=10_000, help="At most this many")] = 100,
    token: TokenOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List quarantined files, newest first (needs the quarantine.read permission)."""
    with open_app(current_settings()) as app:
        items = app.intake.quarantine.list_items(actor=staff_actor(app, token), limit=limit)
    if as_json:
        emit_json([_as_dict(item) for item in items])
        return
    rows = [
        (
            i.id,
            f"{i.quarantined_at:%Y-%m-%d %H:%M}",
            i.channel.value,
            i.reason,
            i.signature,
            i.size,
            i.original_name,
            i.status.value,
        )
        for i in items
    ]
    columns = ["id", "when (UTC)", "channel", "reason", "finding", "bytes", "name", "status"]
    emit_table("Quarantine", columns, rows)


@quarantine_app.command("release")
def quarantine_release(
    item_id: Annotated[str, typer.Argument(help="The quarantined file's id")],
    reason: Annotated[str, typer.Option(help="Why it is released, e.g. a case number")],
    out: Annotated[Path, typer.Option(help="Write the decrypted file to this new file")],
    token: TokenOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Decrypt a quarantined file to a new file for review (security role, audited)."""
    if out.exists():
        raise ConflictError(f"{out} exists already: choose another --out file")
    with open_app(current_settings()) as app:
        actor = staff_actor(app, token)
        released = app.intake.quarantine.release(
            actor=actor, item_id=item_id, reason=reason, deliver=lambda c: _write(out, c)
        )
    if as_json:
        emit_json(_as_dict(released) | {"written_to": str(out)})
        return
    console.print(f"[yellow]Released[/] {released.id} to {out} ({released.size} bytes)")
    console.print("  it was refused as malicious or malformed: open it only in a sandbox")


def _write(out: Path, chunks: Iterator[bytes]) -> None:
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL
    descriptor = os.open(out, flags, 0o600)
    columns = (TextColumn("releasing"), BarColumn(), DownloadColumn())
    try:
        with os.fdopen(descriptor, "wb") as file, Progress(*columns, console=console) as bar:
            task = bar.add_task("release", total=None)
            for chunk in chunks:
                file.write(chunk)
                bar.advance(task, len(chunk))
    except BaseException:
        out.unlink(missing_ok=True)  # nothing half-written
        raise


@quarantine_app.command("purge")
def quarantine_purge(
    item_ids: Annotated[list[str] | None, typer.Argument(help="Ids to delete")] = None,
    older_than_days: Annotated[
        int | None, typer.Option(min=0, help="Delete every file quarantined this long ago")
    ] = None,
    token: TokenOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Delete quarantined files for good: by id, or all older than a retention (audited)."""
    if bool(item_ids) == (older_than_days is not None):
        raise InvalidInputError("give either ids to purge or --older-than-days, not both")
    with open_app(current_settings()) as app:
        before = None
        if older_than_days is not None:
            before = app.clock.now() - timedelta(days=older_than_days)
        purged = app.intake.quarantine.purge(
            actor=staff_actor(app, token), item_ids=item_ids or None, before=before
        )
    if as_json:
        emit_json({"purged": purged})
        return
    console.print(f"Purged {len(purged)} quarantined file(s)")
