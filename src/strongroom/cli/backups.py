"""``strongroom backup create|verify|restore``: encrypted, authenticated database backups."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, TaskID, TaskProgressColumn, TimeElapsedColumn

from strongroom.bootstrap import create_backup_file, restore_backup_file, verify_backup_file
from strongroom.cli.context import current_settings, local_actor, open_app, root_passphrase
from strongroom.cli.output import console, emit_json, err_console
from strongroom.core.custody import ProgressCallback
from strongroom.vault.backups import BackupReport

backup_app = typer.Typer(
    help="Encrypted backups of the database: create, verify, restore.", no_args_is_help=True
)
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]
_STAGES = {
    "snapshot": "Taking a consistent snapshot",
    "encrypt": "Encrypting",
    "verify": "Checking every chunk",
    "decrypt": "Decrypting and checking",
    "restore": "Restoring into the database",
}
_SEPARATE = (
    "The backup opens only with this data home's root key: keep a copy of the root key file and "
    "its passphrase (or your HSM's key) apart from the backups."
)


@backup_app.command("create")
def backup_create(
    out: Annotated[
        Path | None,
        typer.Option(help="The new backup file; default strongroom-<UTC time>.backup here"),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Back the database up: a consistent snapshot, encrypted and authenticated (AES-256-GCM)."""
    target = out or Path(f"strongroom-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.backup")
    with open_app() as app, progress_bars(enabled=not as_json) as progress:
        report = create_backup_file(app, out=target, actor=local_actor(), progress=progress)
    if as_json:
        emit_json({"file": str(target), **asdict(report)})
        return
    _print_report("Backed up", report)
    console.print(f"  file:      {target} (mode 0600)")
    console.print(_SEPARATE)


@backup_app.command("verify")
def backup_verify(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="The backup file")],
    as_json: JsonOption = False,
) -> None:
    """Decrypt and authenticate every chunk of a backup without writing its contents anywhere."""
    settings = current_settings()
    passphrase = root_passphrase(settings)
    with progress_bars(enabled=not as_json) as progress:
        report = verify_backup_file(settings, passphrase=passphrase, path=file, progress=progress)
    if as_json:
        emit_json({"ok": True, **asdict(report)})
        return
    _print_report("[green]OK[/]: intact and authentic", report)


@backup_app.command("restore")
def backup_restore(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="The backup file")],
    force: Annotated[
        bool, typer.Option("--force", help="Replace a database that already holds data")
    ] = False,
    erasures: Annotated[
        list[Path] | None,
        typer.Option(
            "--erasures",
            exists=True,
            dir_okay=False,
            help="Another erasure ledger to re-apply (e.g. the original home's erasures.jsonl)",
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Restore a backup into this data home, then erase again everyone its erasure ledgers name."""
    settings = current_settings()
    passphrase = root_passphrase(settings)
    with progress_bars(enabled=not as_json) as progress:
        report = restore_backup_file(
            settings,
            passphrase=passphrase,
            path=file,
            force=force,
            erasure_files=erasures or [],
            actor=local_actor(),
            progress=progress,
        )
    if as_json:
        emit_json(asdict(report))
        return
    _print_report("Restored", report.backup)
    console.print(
        f"  erasures:  {report.receipts} in the ledgers; {report.reapplied} re-applied, "
        f"{report.already_erased} already erased in the backup"
    )


@contextmanager
def progress_bars(*, enabled: bool) -> Iterator[ProgressCallback]:
    """A Rich progress bar per stage on stderr, at a terminal only (stdout stays for --json)."""
    columns = (BarColumn(), TaskProgressColumn(), TimeElapsedColumn())
    shown = enabled and err_console.is_terminal
    with Progress("{task.description}", *columns, console=err_console, disable=not shown) as bars:
        tasks: dict[str, TaskID] = {}

        def update(stage: str, done: int, total: int | None) -> None:
            if stage not in tasks:
                tasks[stage] = bars.add_task(_STAGES.get(stage, stage), total=total)
            bars.update(tasks[stage], completed=done, total=total)

        yield update


def _print_report(title: str, report: BackupReport) -> None:
    console.print(f"{title}: backup {report.backup_id}")
    console.print(f"  database:  {report.database}, {report.plaintext_bytes} bytes")
    console.print(f"  made at:   {report.created_at.isoformat()}")
    console.print(
        f"  keys:      backup key v{report.backup_key_version}, root key {report.root_key_id}"
    )
