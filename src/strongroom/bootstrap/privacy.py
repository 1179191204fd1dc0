"""Wires the privacy services: consent ledger, data-subject requests, exports, legal holds and
retention."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from strongroom.access.erasure import ErasureService
from strongroom.adapters.subject_files import (
    csv_bundle_bytes,
    json_export_bytes,
    write_csv_bundle,
    write_json_export,
)
from strongroom.core.clock import Clock
from strongroom.core.errors import InvalidInputError
from strongroom.core.models import Actor
from strongroom.core.ports import AuditTrail, UnitOfWorkFactory
from strongroom.privacy.consent import ConsentLedger
from strongroom.privacy.erasure import RequestEraser
from strongroom.privacy.export import SubjectExport, SubjectExporter
from strongroom.privacy.holds import LegalHolds
from strongroom.privacy.rectification import Rectifier
from strongroom.privacy.requests import RequestDesk
from strongroom.privacy.retention import RetentionRule, RetentionRunner, retention_rules
from strongroom.settings import Settings
from strongroom.vault.service import SubjectVault


@dataclass(frozen=True, slots=True)
class Privacy:
    consents: ConsentLedger
    requests: RequestDesk
    holds: LegalHolds
    exporter: SubjectExporter
    retention: RetentionRunner
    rectifier: Rectifier
    eraser: RequestEraser
    rules: tuple[RetentionRule, ...]


def build_privacy(
    settings: Settings,
    *,
    uow_factory: UnitOfWorkFactory,
    reader: UnitOfWorkFactory,
    vault: SubjectVault,
    audit: AuditTrail,
    clock: Clock,
    erasure: ErasureService,
) -> Privacy:
    return Privacy(
        consents=ConsentLedger(uow_factory, audit, clock),
        requests=RequestDesk(uow_factory, audit, clock),
        holds=LegalHolds(uow_factory, audit, clock),
        exporter=SubjectExporter(uow_factory, reader, vault, audit, clock),
        retention=RetentionRunner(uow_factory, audit, clock),
        rectifier=Rectifier(uow_factory, vault, audit, clock),
        eraser=RequestEraser(uow_factory, audit, erasure),
        rules=retention_rules(
            event_months=settings.retention_event_months,
            order_months=settings.retention_order_months,
        ),
    )


def export_subject_files(
    privacy: Privacy, *, actor: Actor, request_id: str, out: Path, csv_bundle: bool
) -> SubjectExport:
    """Export request ``request_id`` to ``out``: JSON, or a zip of CSVs with ``csv_bundle``."""
    if out.exists():
        raise InvalidInputError(f"{out} exists already: choose another file name")
    export = privacy.exporter.export(actor=actor, request_id=request_id)
    if csv_bundle:
        write_csv_bundle(out, export.tables)
    else:
        write_json_export(out, export.document)
    return export


@dataclass(frozen=True, slots=True)
class ExportFile:
    """An export as the bytes of its file, for an answer over HTTP."""

    export: SubjectExport
    content: bytes
    media_type: str
    filename: str


def export_subject_bytes(
    privacy: Privacy, *, actor: Actor, request_id: str, csv_bundle: bool
) -> ExportFile:
    """Export request ``request_id`` as the bytes ``export_subject_files`` would write."""
    export = privacy.exporter.export(actor=actor, request_id=request_id)
    name = f"strongroom-export-{export.request_id}"
    if csv_bundle:
        return ExportFile(export, csv_bundle_bytes(export.tables), "application/zip", f"{name}.zip")
    return ExportFile(
        export, json_export_bytes(export.document), "application/json", f"{name}.json"
    )
