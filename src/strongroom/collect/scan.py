"""Scanning text for PII, line by line: JSON lines in, one JSON line of spans out per line.

Memory stays constant: one line is read, scanned and answered before the next. A bad line gets
an error line naming its number (never echoing its content) and the stream goes on.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from strongroom.collect.detectors.registry import DetectorRegistry

MAX_LINE_CHARS = 1_000_000


@dataclass(slots=True)
class ScanSummary:
    """How many lines were scanned, and how many were refused."""

    lines: int = 0
    errors: int = 0


def scan_line(line: str, registry: DetectorRegistry) -> dict[str, object]:
    """The answer to one input line: its spans, or ValueError saying what is wrong with it."""
    if len(line) > MAX_LINE_CHARS:
        raise ValueError(f"the line is over {MAX_LINE_CHARS} characters")
    try:
        document = json.loads(line)
    except (json.JSONDecodeError, RecursionError):
        raise ValueError('not JSON: send one object such as {"text": "..."} per line') from None
    if not isinstance(document, dict) or not isinstance(document.get("text"), str):
        raise ValueError('each line must be an object with a string "text"')
    return {"spans": [span.as_json() for span in registry.detect(document["text"])]}


def scan_lines(
    lines: Iterable[str], registry: DetectorRegistry, write: Callable[[str], None]
) -> ScanSummary:
    """Answer every line of ``lines`` through ``write``, one JSON line each."""
    summary = ScanSummary()
    for number, line in enumerate(lines, start=1):
        summary.lines += 1
        try:
            answer = scan_line(line.rstrip("\r\n"), registry)
        except ValueError as error:
            summary.errors += 1
            answer = {"line": number, "error": str(error)}
        write(json.dumps(answer, separators=(",", ":")))
    return summary
