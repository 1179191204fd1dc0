"""Erasure of N customers (default 10,000) including their lake and warehouse copies, against
scan-and-delete of the same people, measured in the same run.

    .venv/bin/python benchmarks/erasure.py [--customers 10000]

Setup: a fresh SQLite data home; N customers, each with an identify call (email, name, age), a
page view and an order, ingested in-process; the lake exported to Parquet and the warehouse built.
The home is then copied, so both paths start from the same bytes.

1. Crypto-shredding (Strongroom): ``ErasureService.erase_customers`` (what
   ``strongroom customers erase --from FILE`` runs: a transaction and one ledger write per 200
   customers; for each, subject key, identifiers and blind indexes destroyed, the erasure
   recorded, an Ed25519-signed receipt, an audit entry), then one warehouse build, which drops
   their ``dim_customer`` rows. The lake needs no rewrite: its personal data is ciphertext
   under the destroyed keys.
2. Scan-and-delete (the baseline, what platforms without per-customer keys do): delete every row
   of those customers from the store (events, order lines, orders, consents, identifiers, blind
   indexes, customers) with bulk DELETE statements, and rewrite every lake Parquet file without
   their rows (read, filter by pseudonym, write back).
Prints customers per second for each and the ratio.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sqlite3
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from strongroom.bootstrap import App, build, initialise
from strongroom.collect.segment import parse_request
from strongroom.collect.sources import create_source
from strongroom.core.models import Actor, Channel, CustomerId, PrincipalKind
from strongroom.settings import load_settings

OPERATOR = Actor(PrincipalKind.LOCAL, "bench", role="admin")
DPO = Actor(PrincipalKind.STAFF, "bench-dpo", role="dpo")
PASSPHRASE = "benchmark passphrase, long enough"
BATCH = 100  # customers per ingest call


def _messages(n: int, when: datetime) -> list[dict[str, object]]:
    stamp = when.isoformat()
    return [
        {
            "type": "identify",
            "userId": f"user-{n}",
            "messageId": f"i-{n}",
            "timestamp": stamp,
            "traits": {
                "email": f"person{n}@example.org",
                "lastName": f"Name{n}",
                "age": 20 + n % 50,
            },
        },
        {
            "type": "page",
            "userId": f"user-{n}",
            "messageId": f"p-{n}",
            "name": "Home",
            "timestamp": stamp,
        },
        {
            "type": "track",
            "userId": f"user-{n}",
            "messageId": f"o-{n}",
            "event": "Order Completed",
            "timestamp": stamp,
            "properties": {
                "order_id": f"A-{n}",
                "total": 12.5,
                "currency": "EUR",
                "products": [{"sku": "tea", "quantity": 1, "price": 12.5}],
            },
        },
    ]


def _load(app: App, customers: int) -> list[CustomerId]:
    source = create_source(
        uow_factory=app.uow_factory,
        audit=app.audit,
        clock=app.clock,
        actor=OPERATOR,
        name="bench",
        channel=Channel.WEB,
    ).source
    when = datetime.now(UTC) - timedelta(days=1)
    for start in range(0, customers, BATCH):
        batch = [m for n in range(start, min(start + BATCH, customers)) for m in _messages(n, when)]
        body = json.dumps({"batch": batch}).encode()
        app.ingestor.ingest(source=source, request=parse_request(body, endpoint="batch"))
    with app.reader() as uow:
        return sorted(uow.erasures.keyed_customers(after=None, limit=customers + 10))


def _timed(label: str, count: int, work: object) -> float:
    started = time.perf_counter()
    work()  # type: ignore[operator]
    seconds = time.perf_counter() - started
    print(f"{label:<44} {seconds:8.2f} s  {count / seconds:10,.0f} customers/s")
    return seconds


def _shred(app: App, ids: list[CustomerId]) -> None:
    started = time.perf_counter()
    report = app.erasure.erase_customers(actor=DPO, customer_ids=ids, reason="benchmark")
    assert report.erased == len(ids), report
    middle = time.perf_counter()
    app.lake.warehouse.build(actor=OPERATOR)
    print(
        f"  of which: erasures {middle - started:.2f} s, warehouse rebuild "
        f"{time.perf_counter() - middle:.2f} s"
    )


def _scan_and_delete(
    database: Path, lake: Path, ids: list[CustomerId], pseudonyms: set[str]
) -> None:
    with sqlite3.connect(database) as connection:
        connection.execute("CREATE TEMP TABLE doomed (id TEXT PRIMARY KEY)")
        connection.executemany("INSERT INTO doomed VALUES (?)", [(cid,) for cid in ids])
        # Literal statements only: the table names are fixed, the ids are bound above.
        connection.execute(
            "DELETE FROM order_lines WHERE order_id IN "
            "(SELECT id FROM orders WHERE customer_id IN (SELECT id FROM doomed))"
        )
        for statement in (
            "DELETE FROM events WHERE customer_id IN (SELECT id FROM doomed)",
            "DELETE FROM orders WHERE customer_id IN (SELECT id FROM doomed)",
            "DELETE FROM consents WHERE customer_id IN (SELECT id FROM doomed)",
            "DELETE FROM identifiers WHERE customer_id IN (SELECT id FROM doomed)",
            "DELETE FROM blind_indexes WHERE customer_id IN (SELECT id FROM doomed)",
            "DELETE FROM subject_keys WHERE customer_id IN (SELECT id FROM doomed)",
        ):
            connection.execute(statement)
    for file in _parquet_files(lake):
        table = pq.read_table(file)
        if "customer_pseudonym" not in table.column_names:
            continue
        keep = pc.invert(pc.is_in(table["customer_pseudonym"], value_set=_array(pseudonyms)))
        pq.write_table(table.filter(keep), file)


def _array(values: set[str]) -> pa.Array:
    return pa.array(sorted(values))


def _parquet_files(lake: Path) -> Iterator[Path]:
    yield from sorted(lake.rglob("*.parquet"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        settings = load_settings(home=home, root_passphrase=PASSPHRASE)
        initialise(settings, passphrase=PASSPHRASE, actor=OPERATOR)
        app = build(settings, passphrase=PASSPHRASE)
        started = time.perf_counter()
        ids = _load(app, args.customers)
        app.lake.exporter.export(actor=OPERATOR, settle=timedelta(0))
        app.lake.warehouse.build(actor=OPERATOR)
        pseudonyms = {app.lake.exporter.pseudonyms.pseudonym(cid) for cid in ids}
        print(
            f"setup: {len(ids):,} customers ingested, lake exported, warehouse built "
            f"in {time.perf_counter() - started:.1f} s"
        )
        app.close()
        copy = Path(tmp) / "copy"
        shutil.copytree(home, copy)

        app = build(settings, passphrase=PASSPHRASE)
        shred = _timed("crypto-shredding + warehouse rebuild", len(ids), lambda: _shred(app, ids))
        app.close()
        baseline = _timed(
            "scan-and-delete (store + lake rewrite)",
            len(ids),
            lambda: _scan_and_delete(
                copy / "strongroom.sqlite3", load_settings(home=copy).lake_path, ids, pseudonyms
            ),
        )
        print(f"ratio (crypto-shredding rate / scan-and-delete rate): {baseline / shred:.2f}")


if __name__ == "__main__":
    main()
