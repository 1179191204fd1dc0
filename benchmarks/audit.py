"""Audit log benchmarks, each against a baseline measured in the same run.

    .venv/bin/python benchmarks/audit.py [--entries 1000000] [--database-url URL]
    .venv/bin/python benchmarks/audit.py --skip-verify --events 20000   # ingest only

1. ``audit verify`` over N entries: every chain hash, every leaf hash, the Merkle root and the
   root at each signed checkpoint's size, read from the database, against a bare loop computing
   SHA-256 once over the same canonical bytes in memory. The entries are appended in batches of
   10,000 through the repository (as ``AuditLog.record`` would, one transaction each), each a
   realistic profile read with an origin. Also timed: the first checkpoint over all N entries and
   the next one after 1,000 more (what the server does every N entries).
2. Ingest with the audit log on against off: the same ``Ingestor`` on the same kind of store
   (a fresh SQLite data home each run), the same pre-parsed Segment batches, in-process (no HTTP);
   "off" is an AuditTrail that records nothing. Runs alternate on, off, on, off; best of each.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import tempfile
import time
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TypeVar

from ingest import batches, make_workload
from strongroom.adapters.checkpoint_sinks import DirectoryCheckpointSink
from strongroom.adapters.sql.engine import create_database_engine
from strongroom.adapters.sql.migrate import upgrade_database
from strongroom.adapters.sql.unit_of_work import SqlUnitOfWorkFactory
from strongroom.audit.chain import canonical_bytes, extend
from strongroom.audit.checkpointer import AuditCheckpointer
from strongroom.audit.service import AuditLog, verify_audit_log
from strongroom.bootstrap import build, initialise
from strongroom.collect.segment import ParsedRequest, parse_request
from strongroom.collect.service import Ingestor
from strongroom.collect.sources import create_source
from strongroom.core.models import Actor, Channel, PrincipalKind
from strongroom.core.ports import UnitOfWork
from strongroom.core.trail import GENESIS_HASH, AuditAction, AuditDraft, AuditHead, Origin, Outcome
from strongroom.settings import load_settings
from strongroom.vault.keyring import KeyKind, Keyring
from strongroom.vault.tokenization import CardVault

T = TypeVar("T")
BUILD_BATCH = 10_000
START = datetime(2026, 11, 1, tzinfo=UTC)


class Clock:
    def now(self) -> datetime:
        return datetime.now(UTC)


def rate(count: int, seconds: float) -> str:
    return f"{count / seconds:>12,.0f}/s"


# --- 1. verify ------------------------------------------------------------------------------------


def _drafts(start: int, count: int) -> list[AuditDraft]:
    return [
        AuditDraft(
            actor=f"staff:person{n % 50}",
            action=AuditAction.CUSTOMER_READ,
            outcome=Outcome.SUCCESS,
            resource_type="customer",
            resource_ids=(str(uuid.UUID(int=n)),),
            data_classes=("demographic", "pii"),
            purpose="support",
            detail={"masked": "yes"},
            origin=Origin(
                f"192.0.2.{n % 250}",
                "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
                str(uuid.UUID(int=(n + 1) << 64)),
            ),
        )
        for n in range(start, start + count)
    ]


def populate(factory: SqlUnitOfWorkFactory, count: int) -> list[bytes]:
    """Append ``count`` chained entries in batches; return their canonical bytes."""
    canonical: list[bytes] = []
    head, started = AuditHead(0, GENESIS_HASH), time.perf_counter()
    for first in range(0, count, BUILD_BATCH):
        size = min(BUILD_BATCH, count - first)
        entries = extend(head, START + timedelta(seconds=first), _drafts(first, size))
        with factory() as uow:
            uow.audit.lock_head()
            uow.audit.append(entries)
            uow.commit()
        canonical += [canonical_bytes(e.seq, e.occurred_at, e.draft) for e in entries]
        head = AuditHead(entries[-1].seq, entries[-1].entry_hash)
        if (first // BUILD_BATCH) % 20 == 19:
            print(f"   ... {first + size:,} entries appended", flush=True)
    print(f"   appended {count:,} entries in {time.perf_counter() - started:.0f} s")
    return canonical


def bench_verify(database_url: str, count: int, workdir: Path) -> None:
    engine = create_database_engine(database_url)
    try:
        upgrade_database(engine)
        factory = SqlUnitOfWorkFactory(engine)
        canonical = populate(factory, count)
        keys = Keyring({KeyKind.AUDIT_SIGNING: {1: os.urandom(32)}})
        archive = DirectoryCheckpointSink(workdir / "audit-checkpoints")
        reader = SqlUnitOfWorkFactory(engine, read_only=True)  # as bootstrap wires it
        checkpointer = AuditCheckpointer(
            uow_factory=factory,
            reader=reader,
            audit=AuditLog(Clock()),
            keys=keys,
            clock=Clock(),
            sinks=[archive],
        )
        first = _timed(checkpointer.checkpoint_if_due)
        with factory() as uow:
            AuditLog(Clock()).record(uow, _drafts(count, 1000))
            uow.commit()
        following = _timed(checkpointer.checkpoint_if_due)
        verified, report = _timed_result(
            lambda: verify_audit_log(uow_factory=reader, keys=keys, archive=archive)
        )
        scanned = _timed(lambda: _scan_all(reader))
    finally:
        engine.dispose()
    started = time.perf_counter()
    for data in canonical:
        hashlib.sha256(data).digest()
    bare = time.perf_counter() - started
    entries = report.entries_checked
    print(f"1. audit verify over {entries:,} entries ({engine.dialect.name})")
    print(f"   verify (chain+tree+2 checkpoints) {rate(entries, verified)}  ({verified:.1f} s)")
    print(f"   of which reading the rows only  {rate(entries, scanned)}  ({scanned:.1f} s)")
    print(f"   bare SHA-256, same bytes        {rate(len(canonical), bare)}  ({bare:.2f} s)")
    print(f"   verify / bare = {bare / len(canonical) / (verified / entries):.4f}")
    print(f"   first checkpoint over {count + 1:,} entries: {first:.1f} s")
    print(f"   next checkpoint, 1,001 entries later: {following * 1000:.1f} ms")


def _scan_all(factory: SqlUnitOfWorkFactory) -> None:
    with factory() as uow:
        for _ in uow.audit.scan():
            pass


def _timed(action: Callable[[], object]) -> float:
    seconds, _ = _timed_result(action)
    return seconds


def _timed_result(action: Callable[[], T]) -> tuple[float, T]:
    started = time.perf_counter()
    result = action()
    return time.perf_counter() - started, result


# --- 2. ingest on and off -------------------------------------------------------------------------


class NoAuditTrail:
    """A core.ports.AuditTrail that records nothing: the audit log switched off."""

    def record(self, uow: UnitOfWork, drafts: Sequence[AuditDraft]) -> None:
        return None


def _ingest_run(requests: Sequence[ParsedRequest], home: Path, *, audited: bool) -> float:
    passphrase = "benchmark-passphrase-" + uuid.uuid4().hex
    settings = load_settings(home=home, root_passphrase=passphrase)
    actor = Actor(PrincipalKind.LOCAL, "benchmark", role="admin")
    initialise(settings, passphrase=passphrase, actor=actor)
    app = build(settings, passphrase=passphrase)
    try:
        source = create_source(
            uow_factory=app.uow_factory,
            audit=app.audit,
            clock=app.clock,
            actor=actor,
            name="bench-web",
            channel=Channel.WEB,
        ).source
        ingestor = Ingestor(
            uow_factory=app.uow_factory,
            vault=app.vault,
            audit=app.audit if audited else NoAuditTrail(),
            clock=app.clock,
            cards=CardVault(app.erasure.keys),
        )
        started = time.perf_counter()
        for request in requests:
            ingestor.ingest(source=source, request=request)
        return time.perf_counter() - started
    finally:
        app.close()


def bench_ingest(events: int, batch_size: int, workdir: Path) -> None:
    workload = make_workload(events, seed=7)
    requests = [
        parse_request(json.dumps({"batch": list(batch)}).encode(), endpoint="batch")
        for batch in batches(workload.messages, batch_size)
    ]
    times: dict[bool, list[float]] = {True: [], False: []}
    for run, audited in enumerate((True, False, True, False)):
        seconds = _ingest_run(requests, workdir / f"ingest-{run}", audited=audited)
        times[audited].append(seconds)
        print(f"   run {run + 1}: audit {'on ' if audited else 'off'} {rate(events, seconds)}")
    on, off = min(times[True]), min(times[False])
    print(f"2. ingest, {events:,} events in batches of {batch_size}, in-process, SQLite")
    print(f"   audit log on   {rate(events, on)}")
    print(f"   audit log off  {rate(events, off)}")
    print(f"   on / off = {off / on:.3f} (the audit log costs {100 * (on - off) / off:.1f}%)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--database-url", default=None, help="default: a temporary SQLite file")
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--skip-verify", action="store_true")
    parser.add_argument("--skip-ingest", action="store_true")
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="strongroom-bench-audit-") as directory:
        workdir = Path(directory)
        if not arguments.skip_verify:
            url = arguments.database_url or f"sqlite:///{workdir / 'audit.sqlite3'}"
            bench_verify(url, arguments.entries, workdir)
        if not arguments.skip_ingest:
            bench_ingest(arguments.events, arguments.batch_size, workdir)


if __name__ == "__main__":
    main()
