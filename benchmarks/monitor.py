"""Detector scan benchmark: every detector over N audit entries, against a bare pass, same run.

    .venv/bin/python benchmarks/monitor.py [--entries 1000000] [--database-url URL]

The log is synthetic staff activity (reads, searches, card reveals, refused logins) with a few
planted anomalies, appended in large batches through the audit repository (entry hashes are
stand-ins: the scan does not verify the chain). Then, on the same database and process:

1. bare pass: read every entry through ``uow.audit.scan()`` and count it;
2. detector scan: the same read feeding every detector (``run_detectors``), built-in settings;
3. storing the findings as alerts (``AlertService.raise_findings``).
"""

from __future__ import annotations

import argparse
import hashlib
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from strongroom.adapters.sql.engine import create_database_engine
from strongroom.adapters.sql.migrate import upgrade_database
from strongroom.adapters.sql.unit_of_work import SqlUnitOfWorkFactory
from strongroom.audit.service import AuditLog
from strongroom.core.trail import AuditAction, AuditDraft, AuditEntry, Origin, Outcome
from strongroom.monitor.alerts import AlertService
from strongroom.monitor.detectors import default_detectors, run_detectors
from strongroom.monitor.models import ScanContext

BATCH = 20_000
START = datetime(2025, 1, 6, tzinfo=UTC)
ROLES = ("support",) * 8 + ("dpo", "payments")
AGENT = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/{v}.0 Safari/537.36"


class Clock:
    def now(self) -> datetime:
        return datetime.now(UTC)


def _draft(rng: random.Random, actor: str, role: str, ip: str, agent: str) -> AuditDraft:
    origin = Origin(ip, agent, None)
    if role == "payments":
        token = f"tok_{rng.getrandbits(128):032x}"
        return AuditDraft(
            actor, AuditAction.CARD_DETOKENIZED, Outcome.SUCCESS, "card", (token,),
            ("payment",), "payment", {}, origin,
        )  # fmt: skip
    if rng.random() < 0.2:
        ids = tuple(f"c-{rng.randrange(2_000_000)}" for _ in range(rng.randint(1, 4)))
        action = AuditAction.CUSTOMER_SEARCH
    else:
        ids, action = (f"c-{rng.randrange(2_000_000)}",), AuditAction.CUSTOMER_READ
    classes = ("demographic", "pii") if role == "dpo" else ("demographic",)
    return AuditDraft(
        actor, action, Outcome.SUCCESS, "customer", ids, classes, role, {"masked": "no"}, origin
    )


def staff_of(principals: int) -> list[tuple[str, str, str, int]]:
    """(actor label, role, office IP, first hour of the day) of each staff member."""
    return [
        (f"staff:agent{n:03d}", ROLES[n % len(ROLES)], f"10.1.{n // 250}.{n % 250}", 9 + n % 3)
        for n in range(principals)
    ]


def synthetic_log(
    entries: int, principals: int, seed: int = 7
) -> list[tuple[datetime, AuditDraft]]:
    """``entries`` acts over a year by ``principals`` staff in office hours, plus anomalies."""
    rng = random.Random(seed)  # made-up activity, not secrets
    staff = staff_of(principals)
    acts: list[tuple[datetime, AuditDraft]] = []
    per_day = max(1, entries // 365)
    for day in range(365):
        midnight = START + timedelta(days=day)
        for _ in range(per_day):
            actor, role, ip, start_hour = rng.choice(staff)
            at = midnight + timedelta(hours=start_hour, seconds=rng.randrange(8 * 3600))
            agent = AGENT.format(v=120 + day // 60)
            acts.append((at, _draft(rng, actor, role, ip, agent)))
        if day % 30 == 29:  # a burst of refused logins from one address
            for n in range(15):
                at = midnight + timedelta(hours=3, seconds=10 * n)
                origin = Origin("203.0.113.66", "python-requests/2.32", None)
                failed = AuditDraft(
                    "anonymous:unknown", AuditAction.AUTH_FAILED, Outcome.DENIED, "credential",
                    (), (), None, {"credential": "staff_token"}, origin,
                )  # fmt: skip
                acts.append((at, failed))
    _plant_harvest(acts, staff[1], START + timedelta(days=300, hours=23))
    acts.sort(key=lambda act: act[0])
    return acts[:entries]


def _plant_harvest(
    acts: list[tuple[datetime, AuditDraft]], who: tuple[str, str, str, int], when: datetime
) -> None:
    """One principal reads 600 customers at night from a new address: spike, bulk, off hours."""
    actor, role, _, _ = who
    origin = Origin("198.51.100.23", "curl/8.5.0", None)
    for n in range(600):
        draft = AuditDraft(
            actor, AuditAction.CUSTOMER_READ, Outcome.SUCCESS, "customer", (f"h-{n}",),
            ("demographic", "pii"), role, {"masked": "no"}, origin,
        )  # fmt: skip
        acts.append((when + timedelta(seconds=n), draft))


def populate(factory: SqlUnitOfWorkFactory, acts: list[tuple[datetime, AuditDraft]]) -> None:
    started = time.perf_counter()
    for first in range(0, len(acts), BATCH):
        batch = [
            AuditEntry(seq, at, draft, b"", hashlib.sha256(seq.to_bytes(8, "big")).digest())
            for seq, (at, draft) in enumerate(acts[first : first + BATCH], start=first + 1)
        ]
        with factory() as uow:
            uow.audit.lock_head()
            uow.audit.append(batch)
            uow.commit()
        if (first // BATCH) % 10 == 0:
            print(f"   ... {first + len(batch):,} entries stored", flush=True)
    print(f"   stored {len(acts):,} entries in {time.perf_counter() - started:.0f} s")


def bench(factory: SqlUnitOfWorkFactory, roles: dict[str, str]) -> None:
    started = time.perf_counter()
    with factory() as uow:
        counted = sum(1 for _ in uow.audit.scan())
    bare = time.perf_counter() - started
    started = time.perf_counter()
    with factory() as uow:
        context = ScanContext(role_of=roles.get)  # the scan service looks roles up per principal
        findings = run_detectors(default_detectors(), uow.audit.scan(), context)
    scanned = time.perf_counter() - started
    alerts = AlertService(uow_factory=factory, audit=AuditLog(Clock()), clock=Clock())
    started = time.perf_counter()
    report = alerts.raise_findings(findings)
    stored = time.perf_counter() - started
    by_detector: dict[str, int] = {}
    for finding in findings:
        by_detector[finding.detector] = by_detector.get(finding.detector, 0) + 1
    print(f"1. bare pass (read and count)  {bare:8.1f} s  {counted / bare:>10,.0f} entries/s")
    print(f"2. detector scan (9 detectors) {scanned:8.1f} s  {counted / scanned:>10,.0f} entries/s")
    print(f"   scan / bare = {scanned / bare:.2f}; detectors alone ~{scanned - bare:.1f} s")
    print(f"3. storing {len(findings)} findings as {len(report.new)} alerts: {stored:.2f} s")
    print(f"   findings by detector: {dict(sorted(by_detector.items()))}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--principals", type=int, default=200)
    parser.add_argument("--database-url", help="an empty database; default: a temporary SQLite")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        url = args.database_url or f"sqlite:///{Path(workdir) / 'bench.sqlite3'}"
        engine = create_database_engine(url)
        try:
            upgrade_database(engine)
            factory = SqlUnitOfWorkFactory(engine)
            print(f"Generating {args.entries:,} audit entries ({url.split(':', 1)[0]})")
            populate(factory, synthetic_log(args.entries, args.principals))
            bench(factory, {actor: role for actor, role, _, _ in staff_of(args.principals)})
        finally:
            engine.dispose()


if __name__ == "__main__":
    main()
