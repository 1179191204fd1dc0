"""Wires the bulk export of customer profiles to its files (CSV or JSON lines, owner-only)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from strongroom.access.bulkexport import (
    CSV_COLUMNS,
    BulkExportReport,
    CustomerExporter,
    ExportFormat,
    ExportProgress,
    Row,
)
from strongroom.adapters.profile_files import write_csv_rows, write_jsonl_rows
from strongroom.bootstrap.app import App
from strongroom.core.errors import InvalidInputError
from strongroom.core.models import Actor


def export_customers_file(
    app: App,
    *,
    actor: Actor,
    out: Path,
    export_format: ExportFormat,
    purpose: str,
    approval_id: str | None,
    progress: ExportProgress | None = None,
) -> BulkExportReport:
    """Every customer ``actor`` may read, as they may see them, into a new 0600 file ``out``."""
    if out.exists() or out.is_symlink():
        raise InvalidInputError(f"{out} exists already: choose another file name")
    if not out.parent.is_dir():
        raise InvalidInputError(f"{out.parent} is not a directory: choose where the file goes")
    exporter = CustomerExporter(
        uow_factory=app.uow_factory,
        reader=app.reader,
        vault=app.vault,
        audit=app.audit,
        clock=app.clock,
        four_eyes=app.policy.approvals,
        watch=app.monitoring.alarm,
    )

    def write(batches: Iterator[list[Row]]) -> int:
        if export_format is ExportFormat.CSV:
            return write_csv_rows(out, CSV_COLUMNS, batches)
        return write_jsonl_rows(out, batches)

    return exporter.export(
        actor=actor,
        export_format=export_format,
        purpose=purpose,
        approval_id=approval_id,
        sink=write,
        progress=progress,
    )
