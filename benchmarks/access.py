"""The cost of the access layer on profile reads, measured in the same run.

    .venv/bin/python benchmarks/access.py [--customers 1000]

Setup: a fresh SQLite data home with N customers (identify calls with email, name, phone, age)
and a dpo staff principal whose training is recorded (so the training gate is looked up).

1. Policy decisions per second: for each of the N profiles, ``decide`` for the read itself and
   for every field it holds (the data class of each), as ``ProfileReader`` asks.
2. The whole access layer: ``ProfileReader.read_customer`` for each customer (authorise and
   decide, consent, training lookup, decryption, masking, the volume upsert, an audit entry).
3. The baseline: the same reads without it: one transaction per customer that loads the record
   and decrypts its fields and identifiers, nothing else.
Prints decisions per second, reads per second for 2 and 3, and the ratio 2 / 3 in time.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from strongroom.access.decisions import decide
from strongroom.access.permissions import ROLES, Permission
from strongroom.access.profiles import decrypt_fields, decrypt_identifiers
from strongroom.bootstrap import App, build, initialise
from strongroom.collect.segment import parse_request
from strongroom.collect.sources import create_source
from strongroom.core.models import Actor, Channel, CustomerId, Principal, PrincipalKind
from strongroom.core.policy import TrainingKind
from strongroom.core.schema import FIELDS_BY_NAME, DataClass
from strongroom.settings import load_settings

OPERATOR = Actor(PrincipalKind.LOCAL, "bench", role="admin")
DPO = Actor(PrincipalKind.STAFF, "bench-dpo", role="dpo", principal_id="p-bench-dpo")
PASSPHRASE = "benchmark passphrase, long enough"
BATCH = 100


def _load(app: App, customers: int) -> list[CustomerId]:
    source = create_source(
        uow_factory=app.uow_factory,
        audit=app.audit,
        clock=app.clock,
        actor=OPERATOR,
        name="bench",
        channel=Channel.WEB,
    ).source
    stamp = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    for start in range(0, customers, BATCH):
        batch = [
            {
                "type": "identify",
                "userId": f"user-{n}",
                "messageId": f"i-{n}",
                "timestamp": stamp,
                "traits": {
                    "email": f"person{n}@example.org",
                    "firstName": "Pat",
                    "lastName": f"Name{n}",
                    "phone": f"+1415555{n % 10000:04d}",
                    "age": 20 + n % 50,
                },
            }
            for n in range(start, min(start + BATCH, customers))
        ]
        body = json.dumps({"batch": batch}).encode()
        app.ingestor.ingest(source=source, request=parse_request(body, endpoint="batch"))
    with app.reader() as uow:
        return sorted(uow.erasures.keyed_customers(after=None, limit=customers + 10))


def _trained_dpo(app: App) -> None:
    with app.uow_factory() as uow:
        uow.principals.add(Principal("p-bench-dpo", DPO.name, "dpo", app.clock.now()))
        uow.commit()
    for kind in TrainingKind:
        app.policy.training.record(actor=OPERATOR, name=DPO.name, kind=kind)


def _timed(label: str, count: int, unit: str, work: Callable[[], object]) -> float:
    started = time.perf_counter()
    work()
    seconds = time.perf_counter() - started
    print(f"{label:<46} {seconds:8.3f} s  {count / seconds:12,.0f} {unit}/s")
    return seconds


def _decisions(field_classes: list[list[DataClass]]) -> int:
    role, made = ROLES["dpo"], 0
    for classes in field_classes:
        decide(role, Permission.CUSTOMERS_READ, None, "dsar", consent=True, trained=True)
        for data_class in classes:
            decide(role, Permission.CUSTOMERS_READ, data_class, "dsar", consent=True, trained=True)
        made += 1 + len(classes)
    return made


def _plain_reads(app: App, ids: list[CustomerId]) -> None:
    for customer_id in ids:
        with app.uow_factory() as uow:
            stored = uow.customers.get_many([customer_id])[customer_id]
            decrypt_fields(app.vault, uow, stored)
            decrypt_identifiers(app.vault, uow, customer_id)


def _field_classes(app: App, ids: list[CustomerId]) -> list[list[DataClass]]:
    classes = []
    with app.reader() as uow:
        for stored in uow.customers.get_many(ids).values():
            names = [*decrypt_fields(app.vault, uow, stored), *stored.demographics]
            spec = FIELDS_BY_NAME.get
            classes.append(
                [s.data_class if (s := spec(n)) else DataClass.UNCLASSIFIED for n in names]
            )
    return classes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1000)
    customers = parser.parse_args().customers
    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(home=Path(tmp) / "home", root_passphrase=PASSPHRASE)
        initialise(settings, passphrase=PASSPHRASE, actor=OPERATOR)
        app = build(settings, passphrase=PASSPHRASE)
        try:
            ids = _load(app, customers)
            _trained_dpo(app)
            classes = _field_classes(app, ids)
            count = sum(1 + len(c) for c in classes)
            print(f"setup: {len(ids):,} customers, {count:,} decisions for one read of each")
            _timed("policy decisions (decide)", count, "decisions", lambda: _decisions(classes))
            plain = _timed(
                "reads without the access layer", len(ids), "reads", lambda: _plain_reads(app, ids)
            )
            full = _timed(
                "reads through the access layer",
                len(ids),
                "reads",
                lambda: [app.profiles.read_customer(actor=DPO, customer_id=c) for c in ids],
            )
            print(f"access layer cost: {full / plain:.2f}x the time of the bare read")
        finally:
            app.close()


if __name__ == "__main__":
    main()
