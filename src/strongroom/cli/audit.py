"""``strongroom audit ...``: verify the log and its checkpoints, sign one, prove an entry, export.

Every one of these reads the audit log, and each read is itself recorded in it.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, TextIO

import typer

from strongroom import __version__
from strongroom.audit.exports import ExportFormat, export_entries
from strongroom.audit.proofs import prove_entry
from strongroom.audit.service import VerificationReport, verify_and_record
from strongroom.cli.context import local_actor, open_app
from strongroom.cli.output import console, emit_json
from strongroom.core.errors import AuditIntegrityError, ConflictError

audit_app = typer.Typer(help="The tamper-evident audit log.", no_args_is_help=True)

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]


@audit_app.command("verify")
def audit_verify(as_json: JsonOption = False) -> None:
    """Recompute the chain and Merkle tree; check them against every signed checkpoint.

    Exits non-zero naming the first changed, inserted or deleted entry, or the checkpoint
    (file) the log no longer matches, or a forged checkpoint.
    """
    with open_app() as app:
        try:
            report = verify_and_record(
                uow_factory=app.uow_factory,
                audit=app.audit,
                actor=local_actor(),
                keys=app.checkpoints.keys,
                archive=app.checkpoint_archive,
                reader=app.reader,
            )
        except AuditIntegrityError as error:
            if as_json:
                emit_json(
                    {"ok": False, "error": error.message, "seq": error.seq}
                    | {"checkpoint": error.checkpoint}
                )
            raise
    if as_json:
        emit_json(_report_json(report))
        return
    _print_report(report)


def _report_json(report: VerificationReport) -> dict[str, object]:
    return {
        "ok": True,
        "entries_checked": report.entries_checked,
        "head_seq": report.head_seq,
        "head_hash": report.head_hash_hex,
        "root_hash": report.root_hash_hex,
        "stored_checkpoints": report.stored_checkpoints,
        "exported_checkpoints": report.exported_checkpoints,
        "latest_exported_checkpoint": (
            {"file": report.latest_exported, "tree_size": report.latest_exported_size}
            if report.latest_exported
            else None
        ),
        "warnings": list(report.warnings),
    }


def _print_report(report: VerificationReport) -> None:
    console.print(
        f"[green]OK[/]: {report.entries_checked} audit entries verified (chain and Merkle tree); "
        f"head {report.head_seq}, root {report.root_hash_hex[:16]}..."
    )
    console.print(
        f"  matched {report.stored_checkpoints} signed checkpoint(s) in the database and "
        f"{report.exported_checkpoints} exported one(s)"
    )
    if report.latest_exported:
        console.print(
            f"  latest exported: {report.latest_exported} (tree size {report.latest_exported_size})"
        )
    for warning in report.warnings:
        console.print(f"[yellow]warning:[/] {warning}")


@audit_app.command("checkpoint")
def audit_checkpoint(as_json: JsonOption = False) -> None:
    """Sign a checkpoint of the log now, store it and export it to the configured sinks."""
    with open_app() as app:
        result = app.checkpoints.checkpoint(actor=local_actor())
    signed = result.checkpoint
    if as_json:
        emit_json(
            signed.as_dict()
            | {"exported_to": list(result.exported_to), "export_errors": result.export_errors}
        )
        return
    console.print(
        f"[green]Signed[/] checkpoint of tree size {signed.tree_size}, root "
        f"{signed.root_hash.hex()[:16]}... (audit-signing key v{signed.key_version})"
    )
    for sink in result.exported_to:
        console.print(f"  exported to {sink}")
    for sink, problem in result.export_errors.items():
        console.print(f"[yellow]warning:[/] not exported to {sink}: {problem}")


@audit_app.command("proof")
def audit_proof(
    seq: Annotated[int, typer.Argument(min=1, help="The entry's sequence number")],
    as_json: JsonOption = False,
) -> None:
    """Print an inclusion proof of entry SEQ against the latest checkpoint that covers it."""
    with open_app() as app:
        proof = prove_entry(
            uow_factory=app.uow_factory,
            audit=app.audit,
            actor=local_actor(),
            seq=seq,
            reader=app.reader,
        )
    if as_json:
        emit_json(proof.as_dict())
        return
    against = "its signed checkpoint" if proof.checkpoint else "the current, not yet signed, tree"
    console.print(
        f"Entry {proof.seq} is leaf {proof.leaf_index} of the tree of {proof.tree_size} "
        f"entries, root {proof.root_hash.hex()} ({against})"
    )
    console.print(f"  leaf hash {proof.leaf_hash.hex()}")
    for node in proof.path:
        console.print(f"  path {node.hex()}")
    console.print("  `--json` prints the whole proof for a third party (see docs/audit.md)")


def _parse_since(value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(
            f"{value!r} is not an ISO 8601 time, e.g. 2026-01-31 or 2026-01-31T12:00:00Z"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@audit_app.command("export")
def audit_export(
    since: Annotated[
        datetime,
        typer.Option(parser=_parse_since, help="Entries from this ISO 8601 time on (UTC if bare)"),
    ],
    export_format: Annotated[
        ExportFormat, typer.Option("--format", help="jsonl or cef (ArcSight)")
    ] = ExportFormat.JSONL,
    out: Annotated[
        Path | None, typer.Option(help="Write to this new file (mode 0600) instead of stdout")
    ] = None,
) -> None:
    """Export entries for a SIEM, one per line; the export itself is audited first."""
    if out is not None and out.exists():
        raise ConflictError(f"{out} exists already: choose another --out file")
    with open_app() as app, _output(out) as sink:
        report = export_entries(
            uow_factory=app.uow_factory,
            audit=app.audit,
            actor=local_actor(),
            since=since,
            export_format=export_format,
            write=lambda line: sink.write(line + "\n"),
            product_version=__version__,
            reader=app.reader,
        )
    if out is not None:
        console.print(
            f"Exported {report.entries} audit entries (through entry {report.through_seq}) to {out}"
        )


@contextmanager
def _output(out: Path | None) -> Iterator[TextIO]:
    if out is None:
        yield sys.stdout
        return
    descriptor = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with open(descriptor, "w", encoding="utf-8") as file:
        yield file
