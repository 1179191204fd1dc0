"""The pipeline fails closed: fake scanners and sniffer, in-memory storage, real sealing."""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import pytest

from strongroom.adapters.memory import MemoryUnitOfWorkFactory
from strongroom.audit.service import AuditLog
from strongroom.collect.intake.pipeline import IntakePipeline, Upload
from strongroom.collect.intake.policy import IntakePolicy
from strongroom.collect.intake.quarantine import QuarantineService
from strongroom.core.clock import SystemClock
from strongroom.core.errors import (
    FileTooLargeError,
    MalwareDetectedError,
    NotFoundError,
    PermissionDeniedError,
    ScannerUnavailableError,
    UnsupportedFileTypeError,
)
from strongroom.core.intake import IntakeChannel, QuarantinedFile, ScanVerdict
from strongroom.core.models import Actor, PrincipalKind
from strongroom.core.trail import AuditAction
from strongroom.vault.documents import QuarantineKeys
from strongroom.vault.keyring import KeyKind, Keyring

ACTOR = Actor(PrincipalKind.STAFF, "alice", role="support")
SECURITY = Actor(PrincipalKind.STAFF, "sam", role="security")
CSV = b"id,email\n1,a@example.com\n"


class FakeSniffer:
    def __init__(self, media_type: str = "text/csv") -> None:
        self.media_type, self.calls = media_type, 0

    def sniff(self, path: Path) -> str:
        self.calls += 1
        return self.media_type


class FakeScanner:
    def __init__(self, name: str, *, finds: str | None = None, down: bool = False) -> None:
        self.name, self._finds, self._down, self.scanned = name, finds, down, 0

    def check_ready(self) -> None:
        if self._down:
            raise ScannerUnavailableError(f"{self.name} is down")

    def scan(self, path: Path) -> ScanVerdict:
        self.check_ready()
        self.scanned += 1
        return ScanVerdict(self.name, self._finds)


class MemoryFiles:
    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}

    def write(self, name: str, chunks: Iterator[bytes]) -> None:
        self.files[name] = b"".join(chunks)

    def open(self, name: str) -> BinaryIO:
        if name not in self.files:
            raise NotFoundError(name)
        return io.BytesIO(self.files[name])

    def delete(self, name: str) -> bool:
        return self.files.pop(name, None) is not None


class RecordingAlarm:
    def __init__(self) -> None:
        self.items: list[QuarantinedFile] = []

    def file_quarantined(self, item: QuarantinedFile) -> None:
        self.items.append(item)


class Rig:
    def __init__(self, scanners: list[FakeScanner], sniffed: str = "text/csv") -> None:
        self.uow_factory = MemoryUnitOfWorkFactory()
        self.files, self.alarm, self.sniffer = MemoryFiles(), RecordingAlarm(), FakeSniffer(sniffed)
        keys = Keyring({KeyKind.FIELD_KEK: {1: os.urandom(32)}})
        self.quarantine = QuarantineService(
            uow_factory=self.uow_factory,
            audit=AuditLog(SystemClock()),
            clock=SystemClock(),
            keys=QuarantineKeys(keys),
            store=self.files,
            alarm=self.alarm,
        )
        self.pipeline = IntakePipeline(
            policy=IntakePolicy(max_bytes=1000),
            sniffer=self.sniffer,
            scanners=scanners,
            quarantine=self.quarantine,
            uow_factory=self.uow_factory,
            audit=AuditLog(SystemClock()),
        )

    def actions(self) -> list[AuditAction]:
        with self.uow_factory() as uow:
            return [entry.draft.action for entry in uow.audit.scan()]


def _upload(tmp_path: Path, data: bytes = CSV, name: str = "customers.csv") -> Upload:
    path = tmp_path / "received"
    path.write_bytes(data)
    return Upload(path, name, IntakeChannel.IMPORT)


def test_a_clean_file_is_admitted_after_every_scanner_and_audited(tmp_path: Path) -> None:
    scanners = [FakeScanner("yara"), FakeScanner("clamd")]
    rig = Rig(scanners)
    admitted = rig.pipeline.admit(_upload(tmp_path), actor=ACTOR)
    assert admitted.file_type.extension == "csv"
    assert [v.scanner for v in admitted.verdicts] == ["yara", "clamd"]
    assert all(s.scanned == 1 for s in scanners)
    assert rig.actions() == [AuditAction.FILE_ADMITTED]


def test_malware_is_refused_quarantined_sealed_alerted_and_audited(tmp_path: Path) -> None:
    rig = Rig([FakeScanner("yara"), FakeScanner("clamd", finds="Eicar-Test")])
    with pytest.raises(MalwareDetectedError, match="Eicar-Test"):
        rig.pipeline.admit(_upload(tmp_path), actor=ACTOR)
    [item] = rig.alarm.items
    assert (item.reason, item.detector, item.signature) == (
        "malware_detected",
        "clamd",
        "Eicar-Test",
    )
    assert item.original_name == "customers.csv"
    assert CSV not in rig.files.files[item.id]  # sealed, not a copy
    assert rig.actions() == [AuditAction.FILE_QUARANTINED, AuditAction.FILE_REFUSED]


@pytest.mark.parametrize("down", ["yara", "clamd"])
def test_a_scanner_that_is_down_refuses_everything_with_503(tmp_path: Path, down: str) -> None:
    scanners = [
        FakeScanner("yara", down=down == "yara"),
        FakeScanner("clamd", down=down == "clamd"),
    ]
    rig = Rig(scanners)
    with pytest.raises(ScannerUnavailableError, match=down):
        rig.pipeline.admit(_upload(tmp_path), actor=ACTOR)
    assert rig.sniffer.calls == 0  # nothing read the file
    assert rig.actions() == [AuditAction.FILE_REFUSED]
    assert not rig.files.files


def test_no_scanner_at_all_is_not_clean_but_unavailable(tmp_path: Path) -> None:
    with pytest.raises(ScannerUnavailableError, match="no malware scanner"):
        Rig([]).pipeline.admit(_upload(tmp_path), actor=ACTOR)


def test_bytes_that_belie_the_extension_are_refused_and_quarantined(tmp_path: Path) -> None:
    rig = Rig([FakeScanner("yara")], sniffed="application/x-dosexec")
    with pytest.raises(UnsupportedFileTypeError, match="x-dosexec"):
        rig.pipeline.admit(_upload(tmp_path, b"MZ..."), actor=ACTOR)
    assert [i.reason for i in rig.alarm.items] == ["unsupported_file_type"]


def test_an_oversized_file_is_refused_before_anything_reads_it(tmp_path: Path) -> None:
    scanner = FakeScanner("yara")
    rig = Rig([scanner])
    with pytest.raises(FileTooLargeError):
        rig.pipeline.admit(_upload(tmp_path, b"x" * 1001), actor=ACTOR)
    assert (rig.sniffer.calls, scanner.scanned) == (0, 0)
    assert rig.actions() == [AuditAction.FILE_REFUSED]


def test_a_disallowed_name_is_refused_without_quarantine(tmp_path: Path) -> None:
    rig = Rig([FakeScanner("yara")])
    with pytest.raises(UnsupportedFileTypeError):
        rig.pipeline.admit(_upload(tmp_path, name="../../tool.exe"), actor=ACTOR)
    assert not rig.alarm.items


def test_release_hands_back_the_plaintext_to_security_only(tmp_path: Path) -> None:
    rig = Rig([FakeScanner("yara", finds="Bad")])
    with pytest.raises(MalwareDetectedError):
        rig.pipeline.admit(_upload(tmp_path), actor=ACTOR)
    [item] = rig.alarm.items
    with pytest.raises(PermissionDeniedError):
        rig.quarantine.release(actor=ACTOR, item_id=item.id, reason="case 7", deliver=list)
    received: list[bytes] = []
    released = rig.quarantine.release(
        actor=SECURITY, item_id=item.id, reason="case 7", deliver=received.extend
    )
    assert b"".join(received) == CSV
    assert (released.status.value, released.handled_reason) == ("released", "case 7")
    assert rig.quarantine.purge(actor=SECURITY, item_ids=[item.id]) == [item.id]
    assert not rig.files.files
    assert rig.quarantine.list_items(actor=SECURITY) == []
