"""The composition root's intake part: scanners, sniffer, sealed-file stores, the alarm.

Kept beside ``bootstrap.app`` (which calls ``build_intake``); like it, this module alone may
import both adapters and capabilities.
"""

from __future__ import annotations

import logging
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from strongroom.adapters.clamd import ClamdScanner
from strongroom.adapters.filetype import MagicSniffer
from strongroom.adapters.sealed_files import DirectorySealedFileStore
from strongroom.adapters.yara_scanner import YaraScanner
from strongroom.collect.intake.documents import DocumentService
from strongroom.collect.intake.pipeline import AdmittedFile, IntakePipeline, Upload
from strongroom.collect.intake.policy import IntakePolicy
from strongroom.collect.intake.quarantine import QuarantineService
from strongroom.core.clock import Clock
from strongroom.core.intake import IntakeChannel, MalwareScanner, QuarantinedFile
from strongroom.core.models import Actor
from strongroom.core.monitoring import Severity
from strongroom.core.ports import AuditTrail, UnitOfWorkFactory
from strongroom.monitor.alerts import AlertService
from strongroom.monitor.models import Finding
from strongroom.settings import Settings
from strongroom.vault.documents import QuarantineKeys
from strongroom.vault.keysource import KeySource
from strongroom.vault.service import SubjectVault

QUARANTINE_DETECTOR = "file_quarantined"
logger = logging.getLogger("strongroom.intake")


@dataclass
class Intake:
    """The intake services, wired: one pipeline, the quarantine, customers' documents."""

    pipeline: IntakePipeline
    quarantine: QuarantineService
    documents: DocumentService
    staging_dir: Path

    @property
    def max_bytes(self) -> int:
        return self.pipeline.policy.max_bytes

    @contextmanager
    def staging_file(self) -> Iterator[Path]:
        """A new private file to receive an upload into; removed on leaving, whatever happens."""
        self.staging_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        path = self.staging_dir / f"upload-{secrets.token_hex(16)}"
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
        os.close(os.open(path, flags, 0o600))
        try:
            yield path
        finally:
            path.unlink(missing_ok=True)


class IntakeAlarm:
    """Implements ``core.intake.QuarantineAlarm``: each quarantined file becomes an alert."""

    def __init__(self, alerts: AlertService) -> None:
        self._alerts = alerts

    def file_quarantined(self, item: QuarantinedFile) -> None:
        malware = item.reason == "malware_detected"
        finding = Finding(
            detector=QUARANTINE_DETECTOR,
            principal=item.quarantined_by,
            severity=Severity.HIGH if malware else Severity.MEDIUM,
            signal=f"quarantine:{item.id}",
            baseline="no refused files",
            observed=f"{item.detector}: {item.signature}",
            window_start=item.quarantined_at,
            window_end=item.quarantined_at,
            seqs=(),
            summary=(
                f"A file sent as {item.channel.value} was quarantined ({item.reason}, "
                f"{item.detector}: {item.signature}); review it with `strongroom quarantine list`"
            ),
            details={"quarantine_id": item.id, "sha256": item.sha256, "size": item.size},
        )
        try:
            report = self._alerts.raise_findings([finding])
        except Exception as error:
            # The file is quarantined and audited already; the alert is the extra copy.
            logger.error("quarantine alert for %s not stored (%s)", item.id, type(error).__name__)
            return
        for failure in report.failures:
            logger.error("quarantine alert %s not sent to %s", failure.alert_id, failure.sink)


def build_scanners(settings: Settings) -> list[MalwareScanner]:
    """YARA always; clamd too when STRONGROOM_CLAMD_ADDRESS is set."""
    scanners: list[MalwareScanner] = [YaraScanner()]
    if settings.clamd_address:
        scanners.append(ClamdScanner(settings.clamd_address))
    return scanners


def build_intake(
    settings: Settings,
    *,
    uow_factory: UnitOfWorkFactory,
    audit: AuditTrail,
    clock: Clock,
    keys: KeySource,
    vault: SubjectVault,
    alerts: AlertService,
) -> Intake:
    """The pipeline over the configured scanners, the quarantine, the document service."""
    policy = IntakePolicy.from_settings(
        max_bytes=settings.max_upload_bytes, allowed=settings.intake_allowed_types.split(",")
    )
    quarantine = QuarantineService(
        uow_factory=uow_factory,
        audit=audit,
        clock=clock,
        keys=QuarantineKeys(keys),
        store=DirectorySealedFileStore(settings.quarantine_dir),
        alarm=IntakeAlarm(alerts),
    )
    pipeline = IntakePipeline(
        policy=policy,
        sniffer=MagicSniffer(),
        scanners=build_scanners(settings),
        quarantine=quarantine,
        uow_factory=uow_factory,
        audit=audit,
    )
    documents = DocumentService(
        uow_factory=uow_factory,
        audit=audit,
        clock=clock,
        vault=vault,
        pipeline=pipeline,
        store=DirectorySealedFileStore(settings.documents_dir),
    )
    return Intake(pipeline, quarantine, documents, settings.intake_staging_dir)


def admit_import_file(intake: Intake, path: Path, *, actor: Actor) -> AdmittedFile:
    """Pass an import file through intake before any parser opens it; raises the intake errors
    (413, 415, 422 malware_detected/archive_refused, 503 scanner_unavailable)."""
    return intake.pipeline.admit(Upload(path, path.name, IntakeChannel.IMPORT), actor=actor)
