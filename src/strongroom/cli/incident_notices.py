"""``strongroom incidents notice``: draft a notice as Markdown, HTML or PDF."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, BinaryIO

import typer

from strongroom.cli.context import local_actor, open_app
from strongroom.cli.output import console
from strongroom.core.errors import InvalidInputError
from strongroom.respond.drafting import parse_notice_format, parse_notice_kind
from strongroom.respond.notices import NoticeFacts, NoticeFormat

IdArgument = Annotated[str, typer.Argument(help="The incident id")]


def incidents_notice(
    incident_id: IdArgument,
    kind: Annotated[str, typer.Option(help="authority, subjects or report")],
    organisation: Annotated[str, typer.Option(help="Your organisation's name")],
    contact: Annotated[str, typer.Option(help="The DPO or contact point")],
    blast_radius: Annotated[
        Path | None, typer.Option(help="A blast-radius JSON file for the counts")
    ] = None,
    output_format: Annotated[
        str, typer.Option("--format", help="markdown, html or pdf (pdf needs --out)")
    ] = "markdown",
    out: Annotated[
        Path | None, typer.Option(help="Write to this new file (mode 0600, never overwritten)")
    ] = None,
) -> None:
    """Draft a notice: to the authority (Art. 33(3)), to data subjects, or the incident report."""
    chosen_kind = parse_notice_kind(kind)
    chosen = parse_notice_format(output_format)
    if chosen is NoticeFormat.PDF and out is None:
        raise InvalidInputError("--format pdf needs --out FILE: a PDF is not printed to a terminal")
    facts = _facts(organisation, contact, blast_radius)
    with _target(out) as target, open_app() as app:
        notice = app.respond.notices.draft(
            actor=local_actor(),
            incident_id=incident_id,
            kind=chosen_kind,
            output=chosen,
            facts=facts,
        )
        target.write(notice.content)
    if out is not None:
        console.print(f"Wrote {out}")


@contextmanager
def _target(out: Path | None) -> Iterator[BinaryIO]:
    """Standard output, or ``out`` created new (0600); removed again if drafting fails."""
    if out is None:
        yield sys.stdout.buffer
        sys.stdout.flush()
        return
    try:
        descriptor = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise InvalidInputError(f"{out} exists; notices never overwrite a file") from None
    try:
        with os.fdopen(descriptor, "wb") as file:
            yield file
    except BaseException:
        out.unlink(missing_ok=True)  # nothing half-written
        raise


def _facts(organisation: str, contact: str, path: Path | None) -> NoticeFacts:
    if path is None:
        return NoticeFacts(organisation, contact)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return NoticeFacts(
            organisation,
            contact,
            subjects=int(data["customers_touched"]),
            records=int(data["matched_entries"]),
            data_classes=tuple(data["data_classes"]),
            by_country={str(k): int(v) for k, v in data["by_country"].items()},
            exemption_applies=bool(data["encryption_exemption"]["applies"]),
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        raise InvalidInputError(
            f"{path} is not a blast-radius JSON file made by `strongroom incidents blast-radius`"
        ) from None
