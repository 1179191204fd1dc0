"""``strongroom scan``: find PII in text, as JSON lines; needs no data home."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from strongroom.collect.detectors.registry import DETECTORS, PII_THRESHOLD, build_registry
from strongroom.collect.scan import scan_lines
from strongroom.core.errors import InvalidInputError


def scan(
    jsonl: Annotated[
        bool, typer.Option("--jsonl", help='Read {"text": ...} JSON lines on stdin.')
    ] = False,
    detector: Annotated[
        list[str] | None,
        typer.Option(help=f"A detector to use (repeat; default all): {', '.join(DETECTORS)}."),
    ] = None,
    threshold: Annotated[
        float, typer.Option(min=0.0, max=1.0, help="The lowest score reported.")
    ] = PII_THRESHOLD,
) -> None:
    """Find PII in JSON lines on stdin: one line of spans out per line in."""
    if not jsonl:
        raise InvalidInputError('scan reads JSON lines: pass --jsonl and send {"text": ...} lines')
    registry = build_registry(detector or None, threshold=threshold)

    def write(line: str) -> None:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()

    summary = scan_lines(sys.stdin, registry, write)
    if summary.errors:
        typer.echo(f"{summary.errors} of {summary.lines} lines could not be scanned", err=True)
        raise typer.Exit(1)
