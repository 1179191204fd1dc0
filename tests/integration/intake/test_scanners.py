"""The real parts: libmagic, the shipped YARA rules and a running clamd, through the pipeline."""

from __future__ import annotations

import gzip
import io
import os
import stat
import tarfile
import zipfile
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from strongroom.adapters.clamd import ClamdScanner
from strongroom.adapters.filetype import MagicSniffer
from strongroom.adapters.memory import MemoryUnitOfWorkFactory
from strongroom.adapters.sealed_files import DirectorySealedFileStore
from strongroom.adapters.yara_scanner import YaraScanner
from strongroom.audit.service import AuditLog
from strongroom.collect.intake.pipeline import IntakePipeline, Upload
from strongroom.collect.intake.policy import IntakePolicy
from strongroom.collect.intake.quarantine import QuarantineService
from strongroom.core.clock import SystemClock
from strongroom.core.errors import (
    ArchiveRefusedError,
    MalwareDetectedError,
    ScannerUnavailableError,
    UnsupportedFileTypeError,
)
from strongroom.core.intake import IntakeChannel, MalwareScanner
from strongroom.core.models import Actor, PrincipalKind
from strongroom.vault.documents import QuarantineKeys
from strongroom.vault.keyring import KeyKind, Keyring

ACTOR = Actor(PrincipalKind.LOCAL, "ops", role="admin")
CSV = b"id,email,name\n1,a@example.com,Ann\n2,b@example.com,Bob\n"
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d4944415478da63f8ffff3f0005fe02fea7d6a4a00000000049454e44ae426082"
)
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
JPEG = bytes.fromhex("ffd8ffe000104a46494600010100000100010000ffdb004300") + bytes(64) + b"\xff\xd9"


def _parquet() -> bytes:
    buffer = io.BytesIO()
    pq.write_table(pa.table({"id": [1, 2], "email": ["a@example.com", "b@example.com"]}), buffer)
    return buffer.getvalue()


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _tgz(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return gzip.compress(buffer.getvalue())


CLEAN: list[tuple[str, IntakeChannel, Callable[[], bytes]]] = [
    ("partner.csv", IntakeChannel.IMPORT, lambda: CSV),
    ("events.jsonl", IntakeChannel.IMPORT, lambda: b'{"a": 1}\n{"a": 2}\n'),
    ("orders.parquet", IntakeChannel.IMPORT, _parquet),
    ("batch.zip", IntakeChannel.IMPORT, lambda: _zip({"a.csv": CSV, "b.parquet": _parquet()})),
    ("batch.tgz", IntakeChannel.IMPORT, lambda: _tgz({"a.csv": CSV})),
    ("id-card.pdf", IntakeChannel.DOCUMENT, lambda: PDF),
    ("id-card.png", IntakeChannel.DOCUMENT, lambda: PNG),
    ("id-card.jpg", IntakeChannel.DOCUMENT, lambda: JPEG),
    ("case-notes.txt", IntakeChannel.DOCUMENT, lambda: b"customer called about order 1\n"),
]


def _pipeline(tmp_path: Path, scanners: list[MalwareScanner]) -> IntakePipeline:
    uow_factory, audit = MemoryUnitOfWorkFactory(), AuditLog(SystemClock())
    quarantine = QuarantineService(
        uow_factory=uow_factory,
        audit=audit,
        clock=SystemClock(),
        keys=QuarantineKeys(Keyring({KeyKind.FIELD_KEK: {1: os.urandom(32)}})),
        store=DirectorySealedFileStore(tmp_path / "quarantine"),
    )
    return IntakePipeline(
        policy=IntakePolicy(),
        sniffer=MagicSniffer(),
        scanners=scanners,
        quarantine=quarantine,
        uow_factory=uow_factory,
        audit=audit,
    )


def _upload(tmp_path: Path, name: str, data: bytes, channel: IntakeChannel) -> Upload:
    path = tmp_path / "received.bin"
    path.write_bytes(data)
    return Upload(path, name, channel)


@pytest.mark.parametrize(("name", "channel", "make"), CLEAN, ids=[c[0] for c in CLEAN])
def test_clean_files_of_every_allowed_type_pass_libmagic_yara_and_clamd(
    tmp_path: Path, clamd_address: str, name: str, channel: IntakeChannel, make: Callable[[], bytes]
) -> None:
    pipeline = _pipeline(tmp_path, [YaraScanner(), ClamdScanner(clamd_address)])
    admitted = pipeline.admit(_upload(tmp_path, name, make(), channel), actor=ACTOR)
    assert [v.clean for v in admitted.verdicts] == [True, True]


@pytest.mark.parametrize("scanner", ["yara", "clamd"])
def test_eicar_inside_a_csv_import_is_found_by_each_scanner(
    tmp_path: Path, clamd_address: str, eicar: bytes, scanner: str
) -> None:
    chosen: MalwareScanner = YaraScanner() if scanner == "yara" else ClamdScanner(clamd_address)
    pipeline = _pipeline(tmp_path, [chosen])
    data = CSV + b"3," + eicar + b",x\n"
    with pytest.raises(MalwareDetectedError, match="EICAR"):
        pipeline.admit(_upload(tmp_path, "partner.csv", data, IntakeChannel.IMPORT), actor=ACTOR)
    [sealed] = (tmp_path / "quarantine").iterdir()
    assert stat.S_IMODE(sealed.stat().st_mode) == 0o600
    assert eicar not in sealed.read_bytes()


def test_an_executable_named_csv_is_refused_by_libmagic(tmp_path: Path) -> None:
    exe = b"MZ\x90\x00" + bytes(56) + (64).to_bytes(4, "little") + b"PE\0\0" + bytes(200)
    pipeline = _pipeline(tmp_path, [YaraScanner()])
    with pytest.raises(UnsupportedFileTypeError, match="portable-executable"):
        pipeline.admit(_upload(tmp_path, "partner.csv", exe, IntakeChannel.IMPORT), actor=ACTOR)


def test_a_zip_bomb_is_refused_before_extraction(tmp_path: Path) -> None:
    bomb = _zip({"a.csv": b"0" * 50_000_000})
    pipeline = _pipeline(tmp_path, [YaraScanner()])
    with pytest.raises(ArchiveRefusedError, match="bomb"):
        pipeline.admit(_upload(tmp_path, "batch.zip", bomb, IntakeChannel.IMPORT), actor=ACTOR)


def test_a_stopped_clamd_refuses_everything(tmp_path: Path, clamd_factory) -> None:
    clamd = clamd_factory()
    scanner = ClamdScanner(str(clamd.socket))
    scanner.check_ready()
    clamd.stop()
    pipeline = _pipeline(tmp_path, [YaraScanner(), scanner])
    with pytest.raises(ScannerUnavailableError, match="not reachable"):
        pipeline.admit(_upload(tmp_path, "partner.csv", CSV, IntakeChannel.IMPORT), actor=ACTOR)


@pytest.mark.parametrize(
    ("rules", "says"),
    [("rule broken {", "do not compile"), ("// nothing here\n", "hold no rules")],
)
def test_yara_rules_that_fail_or_are_empty_mean_unavailable(
    tmp_path: Path, rules: str, says: str
) -> None:
    path = tmp_path / "rules.yar"
    path.write_text(rules)
    with pytest.raises(ScannerUnavailableError, match=says):
        YaraScanner({"local": str(path)}).check_ready()


def test_the_shipped_rules_compile_and_find_a_pdf_that_runs_javascript(tmp_path: Path) -> None:
    scanner = YaraScanner()
    scanner.check_ready()
    assert scanner.rule_count >= 5
    path = tmp_path / "x.pdf"
    path.write_bytes(b"%PDF-1.7\n<< /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >>\n")
    assert scanner.scan(path).signature == "malware.Strongroom_PDF_Auto_Action"
