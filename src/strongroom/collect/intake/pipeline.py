"""The one intake pipeline: every file is checked, in this order, before any parser sees it.

1. size cap (413); 2. the name's extension on the channel's allowlist (415);
3. every scanner up and holding signatures (503, fail closed); 4. libmagic's reading of the
bytes agrees with the extension (415); 5. the scanners (422 ``malware_detected``);
6. archive limits, from the archive's directory (422 ``archive_refused``).

A file refused at steps 4 to 6 was fully received and looks hostile: it is sealed in quarantine,
with an audit entry and an alert. Every refusal is audited; nothing refused is parsed or stored.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from strongroom.collect.intake.archives import inspect_archive
from strongroom.collect.intake.files import sha256_of
from strongroom.collect.intake.policy import FileType, IntakePolicy
from strongroom.collect.intake.quarantine import QuarantineService, Suspect
from strongroom.core.errors import (
    ArchiveRefusedError,
    FileTooLargeError,
    InvalidInputError,
    MalwareDetectedError,
    ScannerUnavailableError,
    UnsupportedFileTypeError,
)
from strongroom.core.intake import FileTypeSniffer, IntakeChannel, MalwareScanner, ScanVerdict
from strongroom.core.models import Actor, CustomerId
from strongroom.core.ports import AuditTrail, UnitOfWorkFactory
from strongroom.core.trail import AuditAction, AuditDraft, Outcome


@dataclass(frozen=True, slots=True)
class Upload:
    """A received file waiting for intake, on local disk; ``name`` is what the sender called it."""

    path: Path
    name: str
    channel: IntakeChannel
    customer_id: CustomerId | None = None


@dataclass(frozen=True, slots=True)
class AdmittedFile:
    """A file that passed every check: only now may a parser open ``path``."""

    path: Path
    file_type: FileType
    size: int
    sha256: str
    verdicts: tuple[ScanVerdict, ...]


class _RefusedError(Exception):
    """A refusal on its way to being recorded: the error, who found it, whether to quarantine."""

    def __init__(self, error: InvalidInputError, detector: str, finding: str, keep: bool) -> None:
        super().__init__(error.message)
        self.error, self.detector, self.finding, self.keep = error, detector, finding, keep


class IntakePipeline:
    """Admits or refuses files; ``scanners`` must not be empty unless ``allow_unscanned``.

    ``allow_unscanned`` exists for the benchmark's baseline only: no setting turns it on.
    """

    def __init__(
        self,
        *,
        policy: IntakePolicy,
        sniffer: FileTypeSniffer,
        scanners: Sequence[MalwareScanner],
        quarantine: QuarantineService,
        uow_factory: UnitOfWorkFactory,
        audit: AuditTrail,
        allow_unscanned: bool = False,
    ) -> None:
        self.policy, self._sniffer, self._scanners = policy, sniffer, tuple(scanners)
        self._quarantine, self._uow_factory, self._audit = quarantine, uow_factory, audit
        self._allow_unscanned = allow_unscanned

    @property
    def scanner_names(self) -> tuple[str, ...]:
        return tuple(scanner.name for scanner in self._scanners)

    def check_ready(self) -> None:
        """Raise ScannerUnavailableError unless every scanner can answer now."""
        if not self._scanners and not self._allow_unscanned:
            raise ScannerUnavailableError(
                "no malware scanner is configured: intake accepts nothing unscanned"
            )
        for scanner in self._scanners:
            scanner.check_ready()

    def admit(self, upload: Upload, *, actor: Actor) -> AdmittedFile:
        """Check ``upload``: admitted, or refused with the intake error (recorded; quarantined)."""
        size = upload.path.stat().st_size
        try:
            admitted = self._check(upload, size)
        except ScannerUnavailableError as error:
            self._record_refusal(
                upload, actor=actor, size=size, reason=error.code, detector="scanner", item_id=None
            )
            raise
        except _RefusedError as refused:
            item_id = None
            if refused.keep:
                suspect = Suspect(upload.path, upload.name, upload.channel, upload.customer_id)
                item_id = self._quarantine.quarantine(
                    suspect,
                    reason=refused.error.code,
                    detector=refused.detector,
                    signature=refused.finding,
                    actor=actor,
                ).id
            self._record_refusal(
                upload,
                actor=actor,
                size=size,
                reason=refused.error.code,
                detector=refused.detector,
                item_id=item_id,
            )
            raise refused.error from None
        self._record_admission(upload, actor, admitted)
        return admitted

    def refuse_too_large(
        self, *, actor: Actor, channel: IntakeChannel, size: int
    ) -> FileTooLargeError:
        """Record an upload cut off at the size cap while it arrived; the error to raise."""
        upload = Upload(Path(), "", channel)
        self._record_refusal(
            upload,
            actor=actor,
            size=size,
            reason=FileTooLargeError.code,
            detector="size",
            item_id=None,
        )
        return FileTooLargeError(
            f"the file is over the limit of {self.policy.max_bytes} bytes "
            "(STRONGROOM_MAX_UPLOAD_BYTES); nothing was kept"
        )

    def _check(self, upload: Upload, size: int) -> AdmittedFile:
        if size > self.policy.max_bytes:
            error = FileTooLargeError(
                f"the file is {size} bytes; the limit is {self.policy.max_bytes} "
                "(STRONGROOM_MAX_UPLOAD_BYTES)"
            )
            raise _RefusedError(error, "size", "too large", keep=False)
        try:
            file_type = self.policy.file_type(upload.name, upload.channel)
        except UnsupportedFileTypeError as error:
            raise _RefusedError(error, "policy", "extension", keep=False) from None
        self.check_ready()
        sniffed = self._sniffer.sniff(upload.path)
        try:
            self.policy.check_content(file_type, sniffed)
        except UnsupportedFileTypeError as error:
            raise _RefusedError(
                error, "filetype", f".{file_type.extension} is {sniffed}", True
            ) from None
        verdicts = self._scan(upload.path)
        self._inspect(upload.path, file_type, size)
        return AdmittedFile(upload.path, file_type, size, sha256_of(upload.path), verdicts)

    def _scan(self, path: Path) -> tuple[ScanVerdict, ...]:
        verdicts = tuple(scanner.scan(path) for scanner in self._scanners)
        for verdict in verdicts:
            if not verdict.clean:
                error = MalwareDetectedError(
                    f"malware was found ({verdict.scanner}: {verdict.signature}); the file is "
                    "quarantined and the security team alerted"
                )
                raise _RefusedError(error, verdict.scanner, verdict.signature or "", keep=True)
        return verdicts

    def _inspect(self, path: Path, file_type: FileType, size: int) -> None:
        if file_type.archive is None:
            return
        try:
            inspect_archive(path, file_type.archive, self.policy.archives, compressed_size=size)
        except ArchiveRefusedError as error:
            refused = ArchiveRefusedError(f"{error.message}; the file is quarantined")
            raise _RefusedError(refused, "archive", error.message[:200], keep=True) from None

    def _record_admission(self, upload: Upload, actor: Actor, admitted: AdmittedFile) -> None:
        detail: dict[str, str | int] = {
            "channel": upload.channel.value,
            "extension": admitted.file_type.extension,
            "size": admitted.size,
            "sha256": admitted.sha256,
            "scanners": ",".join(v.scanner for v in admitted.verdicts) or "none",
        }
        draft = AuditDraft(
            actor=actor.label,
            action=AuditAction.FILE_ADMITTED,
            outcome=Outcome.SUCCESS,
            resource_type="file",
            detail=detail,
            origin=actor.origin,
        )
        with self._uow_factory() as uow:
            self._audit.record(uow, [draft])
            uow.commit()

    def _record_refusal(
        self,
        upload: Upload,
        *,
        actor: Actor,
        size: int,
        reason: str,
        detector: str,
        item_id: str | None,
    ) -> None:
        draft = AuditDraft(
            actor=actor.label,
            action=AuditAction.FILE_REFUSED,
            outcome=Outcome.DENIED,
            resource_type="file",
            resource_ids=(item_id,) if item_id else (),
            detail={
                "channel": upload.channel.value,
                "reason": reason,
                "detector": detector,
                "size": size,
            },
            origin=actor.origin,
        )
        with self._uow_factory() as uow:
            self._audit.record(uow, [draft])
            uow.commit()
