"""Intake throughput: MB/s of a clean 100 MB CSV through the pipeline, scanning on against off.

    .venv/bin/python benchmarks/intake.py [--megabytes 100] [--repeat 3]

Writes a CSV of synthetic customers, starts a clamd of its own (a temporary clamd.conf and a
one-signature database, since the official one is not downloaded here), and admits the file
through the real pipeline (size, type allowlist, libmagic, SHA-256, scanners) three ways in the
same run: scanning off (the baseline: no scanner at all, a mode no setting can turn on), the
shipped YARA rules only, and YARA plus clamd over its unix socket (INSTREAM). The best of
``--repeat`` runs is reported; the ratio is each figure against the baseline.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

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
from strongroom.core.intake import IntakeChannel, MalwareScanner
from strongroom.core.models import Actor, PrincipalKind
from strongroom.vault.documents import QuarantineKeys
from strongroom.vault.keyring import KeyKind, Keyring

ACTOR = Actor(PrincipalKind.LOCAL, "bench", role="admin")
MiB = 1024 * 1024


def write_csv(path: Path, megabytes: int) -> int:
    target = megabytes * MiB
    with path.open("w", encoding="utf-8") as file:
        file.write("id,email,first_name,last_name,city,country,lifetime_value\n")
        row = 0
        while file.tell() < target:
            lines = [
                f"{n},user{n}@example.com,First{n % 977},Last{n % 1009},City{n % 131},DE,"
                f"{(n * 37) % 10000}.{n % 100:02d}\n"
                for n in range(row, row + 10_000)
            ]
            file.write("".join(lines))
            row += 10_000
    return path.stat().st_size


@contextmanager
def clamd(directory: Path) -> Iterator[str]:
    executable = shutil.which("clamd") or "/usr/sbin/clamd"
    if not Path(executable).exists():
        raise SystemExit("clamd is not installed: run `make clamav`")
    database = directory / "db"
    database.mkdir()
    marker = secrets.token_hex(16)  # a signature no clean file holds
    signature = ":".join(("Strongroom.Bench.Marker", "0", "*", marker))  # a ClamAV .ndb line
    (database / "bench.ndb").write_text(signature + "\n")
    socket_path = directory / "clamd.sock"
    config = directory / "clamd.conf"
    config.write_text(
        f"Foreground yes\nLocalSocket {socket_path}\nDatabaseDirectory {database}\n"
        "StreamMaxLength 2048M\nMaxScanSize 2048M\nMaxFileSize 2048M\nAlertExceedsMax yes\n"
    )
    process = subprocess.Popen(
        [executable, "--config-file", str(config)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while not socket_path.exists():
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("clamd did not start")
            time.sleep(0.05)
        yield str(socket_path)
    finally:
        process.terminate()
        process.wait(timeout=30)


def pipeline(scanners: list[MalwareScanner], work: Path) -> IntakePipeline:
    uow_factory, audit = MemoryUnitOfWorkFactory(), AuditLog(SystemClock())
    quarantine = QuarantineService(
        uow_factory=uow_factory,
        audit=audit,
        clock=SystemClock(),
        keys=QuarantineKeys(Keyring({KeyKind.FIELD_KEK: {1: os.urandom(32)}})),
        store=DirectorySealedFileStore(work / "quarantine"),
    )
    return IntakePipeline(
        policy=IntakePolicy(max_bytes=4096 * MiB),
        sniffer=MagicSniffer(),
        scanners=scanners,
        quarantine=quarantine,
        uow_factory=uow_factory,
        audit=audit,
        allow_unscanned=not scanners,
    )


def best_seconds(intake: IntakePipeline, upload: Upload, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        intake.admit(upload, actor=ACTOR)
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="sr-intake-") as tmp:
        work = Path(tmp)
        path = work / "customers.csv"
        size = write_csv(path, args.megabytes)
        upload = Upload(path, path.name, IntakeChannel.IMPORT)
        with clamd(work) as address:
            runs = {
                "scanning off (baseline)": [],
                "YARA": [YaraScanner()],
                "YARA + clamd": [YaraScanner(), ClamdScanner(address)],
            }
            results = {
                name: best_seconds(pipeline(scanners, work), upload, args.repeat)
                for name, scanners in runs.items()
            }
    base = results["scanning off (baseline)"]
    print(f"clean CSV import, {size / MiB:.1f} MiB, best of {args.repeat}")
    for name, seconds in results.items():
        rate = size / MiB / seconds
        print(
            f"  {name:<24} {rate:8.1f} MiB/s  {seconds:6.2f} s  x{base / seconds:.2f} of baseline"
        )


if __name__ == "__main__":
    main()
