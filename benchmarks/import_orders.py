"""File import throughput: rows/second and peak memory of `strongroom import` of a POS orders CSV.

    .venv/bin/python benchmarks/import_orders.py [--rows 1000000] [--database-url URL]

Writes a synthetic POS export (one row per order line, one to five lines per order, repeat
customers known by loyalty id and email), initialises a fresh data home in a temporary directory,
and runs the real `strongroom import` command on it as a subprocess: reading, mapping,
validation, identity resolution, encryption of emails under each customer's key, blind indexes,
orders with their lines, the audit entry of every batch. Its peak memory is the subprocess's
maximum resident set size.

Two baselines in the same run: a plain ``csv.reader`` pass over the same file (the floor of
reading it at all), and a plain SQLite ``executemany`` of the same rows into one table (storing
them with no protection).
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import os
import random
import resource
import secrets
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from strongroom.bootstrap import build, initialise
from strongroom.collect.sources import create_source
from strongroom.core.models import Actor, Channel, PrincipalKind
from strongroom.settings import load_settings

HEADER = ("Order No", "Date", "Loyalty ID", "Customer Email", "SKU", "Item", "Qty", "Unit Price")
assert len(HEADER) == 8, "the baseline's literal SQL has eight columns"
PRODUCTS = (
    ("TEA-01", "Green tea, 250 g", "12.50"),
    ("MUG-02", "Stoneware mug", "18.00"),
    ("POT-03", "Cast-iron teapot", "64.00"),
    ("FLT-04", "Steel tea filter", "7.25"),
    ("SET-05", "Tasting set", "39.90"),
)
MAPPING = """kind = "orders"
timestamp_format = "%Y-%m-%d %H:%M:%S"

[columns]
"Order No" = "order_id"
"Date" = "timestamp"
"Loyalty ID" = "user_id"
"Customer Email" = "email"
"SKU" = "sku"
"Item" = "product_name"
"Qty" = "quantity"
"Unit Price" = "price"

[defaults]
currency = "GBP"
"""


@dataclass(frozen=True, slots=True)
class Measured:
    rows: int
    seconds: float
    peak_rss_mib: float | None = None

    @property
    def rate(self) -> float:
        return self.rows / self.seconds


def write_orders(path: Path, rows: int, *, customers: int, seed: int) -> int:
    """A POS export of ``rows`` order lines; returns how many orders it holds."""
    rng = random.Random(seed)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    orders = written = 0
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        while written < rows:
            orders += 1
            customer = rng.randrange(customers)
            when = (start + timedelta(seconds=orders * 7)).strftime("%Y-%m-%d %H:%M:%S")
            for _ in range(min(rng.randint(1, 5), rows - written)):
                sku, name, price = rng.choice(PRODUCTS)
                writer.writerow(
                    (
                        f"P-{orders:08d}",
                        when,
                        f"L-{customer:07d}",
                        f"shopper{customer}@example.com",
                        sku,
                        name,
                        rng.randint(1, 4),
                        price,
                    )
                )
                written += 1
    return orders


def read_plainly(path: Path) -> Measured:
    """Baseline 1: a bare csv.reader pass over the file."""
    started = time.perf_counter()
    with path.open(newline="", encoding="utf-8") as handle:
        count = sum(1 for _ in csv.reader(handle)) - 1
    return Measured(count, time.perf_counter() - started)


def insert_plainly(path: Path, database: Path, batch: int = 500) -> Measured:
    """Baseline 2: the same rows into one SQLite table with executemany, a transaction a batch."""
    started = time.perf_counter()
    count = 0
    with (
        contextlib.closing(sqlite3.connect(database, isolation_level=None)) as db,
        path.open(newline="", encoding="utf-8") as handle,
    ):
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        # Literal statements, one column per HEADER entry (eight).
        db.execute(
            "CREATE TABLE lines (c0 TEXT, c1 TEXT, c2 TEXT, c3 TEXT, c4 TEXT, c5 TEXT, c6 TEXT, "
            "c7 TEXT)"
        )
        reader = csv.reader(handle)
        next(reader)
        statement = "INSERT INTO lines VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
        while chunk := [row for _, row in zip(range(batch), reader, strict=False)]:
            db.execute("BEGIN")
            db.executemany(statement, chunk)
            db.execute("COMMIT")
            count += len(chunk)
    return Measured(count, time.perf_counter() - started)


def prepare_home(home: Path, passphrase: str, database_url: str | None) -> dict[str, str]:
    """Initialise a data home with a ``till`` source; return the environment that opens it."""
    settings = load_settings(home=home, root_passphrase=passphrase, database_url=database_url)
    actor = Actor(PrincipalKind.LOCAL, "benchmark", role="admin")
    initialise(settings, passphrase=passphrase, actor=actor)
    app = build(settings, passphrase=passphrase)
    try:
        create_source(
            uow_factory=app.uow_factory,
            audit=app.audit,
            clock=app.clock,
            actor=actor,
            name="till",
            channel=Channel.POS,
        )
    finally:
        app.close()
    env = {k: v for k, v in os.environ.items() if not k.startswith("STRONGROOM_")}
    env |= {"STRONGROOM_HOME": str(home), "STRONGROOM_ROOT_PASSPHRASE": passphrase}
    if database_url:
        env["STRONGROOM_DATABASE_URL"] = database_url
    return env


def import_with_strongroom(csv_path: Path, mapping: Path, env: dict[str, str]) -> Measured:
    """`strongroom import` as a subprocess; its wall time and maximum resident set size."""
    command = Path(sys.executable).parent / "strongroom"
    args = [str(command), "import", str(csv_path), "--source", "till", "--kind", "orders"]
    args += ["--mapping", str(mapping), "--json"]
    started = time.perf_counter()
    process = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    stdout = process.stdout.read() if process.stdout else b""
    stderr = process.stderr.read() if process.stderr else b""
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"strongroom import failed:\n{stderr.decode()}")
    report = json.loads(stdout)
    if report["rejected"]:
        raise SystemExit(f"{report['rejected']} rows were rejected; the benchmark file is bad")
    return Measured(report["stored"], elapsed, usage.ru_maxrss / 1024)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--customers", type=int, default=None, help="default: rows / 20")
    parser.add_argument("--database-url", default=None, help="an empty PostgreSQL database")
    parser.add_argument("--seed", type=int, default=7)
    options = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="strongroom-import-bench-"))
    try:
        run(options, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def run(options: argparse.Namespace, workdir: Path) -> None:
    csv_path, mapping = workdir / "orders.csv", workdir / "mapping.toml"
    mapping.write_text(MAPPING)
    customers = options.customers or max(options.rows // 20, 1)
    orders = write_orders(csv_path, options.rows, customers=customers, seed=options.seed)
    size_mib = csv_path.stat().st_size / 2**20
    print(f"{options.rows:,} rows, {orders:,} orders, {customers:,} customers, {size_mib:.0f} MiB")
    env = prepare_home(workdir / "home", secrets.token_urlsafe(24), options.database_url)
    protected = import_with_strongroom(csv_path, mapping, env)
    reading = read_plainly(csv_path)
    plain = insert_plainly(csv_path, workdir / "plain.sqlite3")
    own_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    store = "PostgreSQL" if options.database_url else "SQLite"
    print(f"| measurement ({store}) | rows/s | seconds | peak RSS |")
    print("|---|---|---|---|")
    print(
        f"| strongroom import | {protected.rate:,.0f} | {protected.seconds:.1f} "
        f"| {protected.peak_rss_mib:.0f} MiB |"
    )
    print(f"| csv.reader pass | {reading.rate:,.0f} | {reading.seconds:.1f} | |")
    print(f"| SQLite executemany | {plain.rate:,.0f} | {plain.seconds:.1f} | |")
    print(f"import / csv.reader: {protected.rate / reading.rate:.4f}")
    print(f"import / executemany: {protected.rate / plain.rate:.4f}")
    print(f"(this benchmark process, baselines included: peak RSS {own_rss:.0f} MiB)")


if __name__ == "__main__":
    main()
