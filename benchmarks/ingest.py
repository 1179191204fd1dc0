"""Ingest throughput: events/second through the real TLS server, against unprotected SQLite.

    .venv/bin/python benchmarks/ingest.py [--events 20000] [--batch-size 100]

Sets up a fresh data home in a temporary directory, starts ``strongroom serve`` (TLS) as a
subprocess, and posts ``/v1/batch`` requests over one keep-alive HTTPS connection: a realistic mix
of identify calls with traits for new customers, track calls, and some ``Order Completed``.
Everything the server does is in the figure: TLS, parsing, identity resolution, encryption of the
traits, blind indexes, orders, and the hash-chained audit entry of every batch.

The baseline then writes the same events with a plain ``executemany`` INSERT into one SQLite
table (no encryption, no audit, no identity resolution, no HTTP), one transaction per batch.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import secrets
import shutil
import socket
import sqlite3
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from faker import Faker
from sqlalchemy import text

from strongroom.adapters.sql.engine import create_database_engine
from strongroom.bootstrap import build, initialise
from strongroom.collect.sources import create_source
from strongroom.core.models import Actor, Channel, PrincipalKind
from strongroom.settings import Settings, load_settings

Message = dict[str, Any]

STARTUP_TIMEOUT = 30.0
NEW_CUSTOMER_SHARE = 0.10  # of all calls: an identify with traits for a customer never seen
ORDER_SHARE = 0.08  # of the other calls: Order Completed; the rest are product and page views
ACTIVE_CUSTOMERS = 300  # calls come from recent customers, as on a shop's busy afternoon
PRODUCTS = (
    ("SKU-TEA-01", "Green tea, 250 g", 12.5),
    ("SKU-MUG-02", "Stoneware mug", 18.0),
    ("SKU-POT-03", "Cast-iron teapot", 64.0),
    ("SKU-FLT-04", "Steel tea filter", 7.25),
    ("SKU-SET-05", "Tasting set", 39.9),
)


# --- the workload -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Workload:
    messages: list[Message]
    customers: int
    orders: int


def make_workload(count: int, *, seed: int) -> Workload:
    """``count`` tracking calls in Segment's format, the same for every run with ``seed``."""
    rng = random.Random(seed)
    fake = Faker()
    fake.seed_instance(seed)
    start = datetime.now(UTC) - timedelta(hours=1)
    users: list[str] = []
    messages: list[Message] = []
    orders = 0
    for index in range(count):
        common = {
            "messageId": str(uuid.UUID(int=rng.getrandbits(128))),
            "timestamp": (start + timedelta(milliseconds=index * 150)).isoformat(),
        }
        if not users or rng.random() < NEW_CUSTOMER_SHARE:
            users.append(f"bench-user-{len(users):07d}")
            messages.append(_identify(fake, rng, users[-1], len(users)) | common)
            continue
        user_id = rng.choice(users[-ACTIVE_CUSTOMERS:])
        if rng.random() < ORDER_SHARE:
            orders += 1
            messages.append(_order(rng, user_id, orders) | common)
        else:
            messages.append(_view(rng, user_id) | common)
    return Workload(messages, len(users), orders)


def _identify(fake: Faker, rng: random.Random, user_id: str, number: int) -> Message:
    first, last = fake.first_name(), fake.last_name()
    return {
        "type": "identify",
        "userId": user_id,
        "traits": {
            "email": f"{first}.{last}.{number}@example.com".lower(),
            "firstName": first,
            "lastName": last,
            "phone": fake.phone_number(),
            "address": {"city": fake.city(), "postalCode": fake.postcode(), "country": "GB"},
            "age": rng.randint(18, 85),
            "gender": rng.choice(("female", "male", "non-binary")),
            "plan": rng.choice(("free", "plus")),
        },
        "context": {"consent": {"categoryPreferences": {"marketing": rng.random() < 0.6}}},
    }


def _order(rng: random.Random, user_id: str, number: int) -> Message:
    lines = [(product, rng.randint(1, 3)) for product in rng.sample(PRODUCTS, rng.randint(1, 3))]
    products = [
        {"sku": sku, "name": name, "price": price, "quantity": quantity}
        for (sku, name, price), quantity in lines
    ]
    total = round(sum(price * quantity for (_, _, price), quantity in lines), 2)
    return {
        "type": "track",
        "userId": user_id,
        "event": "Order Completed",
        "properties": {
            "order_id": f"bench-order-{number:07d}",
            "total": total,
            "currency": "GBP",
            "products": products,
        },
    }


def _view(rng: random.Random, user_id: str) -> Message:
    if rng.random() < 0.3:
        return {"type": "page", "userId": user_id, "name": rng.choice(("Home", "Teas", "Cart"))}
    sku, name, price = rng.choice(PRODUCTS)
    event = "Product Added" if rng.random() < 0.25 else "Product Viewed"
    return {
        "type": "track",
        "userId": user_id,
        "event": event,
        "properties": {"sku": sku, "name": name, "price": price},
    }


def batches(messages: Sequence[Message], size: int) -> Iterator[Sequence[Message]]:
    for start in range(0, len(messages), size):
        yield messages[start : start + size]


# --- Strongroom: a data home and its server ------------------------------------------------------


def strongroom_executable() -> str:
    beside = Path(sys.executable).parent / "strongroom"
    found = str(beside) if beside.is_file() else shutil.which("strongroom")
    if found is None:
        raise SystemExit("the strongroom command is not installed: run `make setup`")
    return found


def prepare_home(home: Path, passphrase: str, database_url: str | None) -> tuple[Settings, str]:
    """Initialise a data home and create a web source; return its settings and write key."""
    settings = load_settings(home=home, root_passphrase=passphrase, database_url=database_url)
    actor = Actor(PrincipalKind.LOCAL, "benchmark", role="admin")
    initialise(settings, passphrase=passphrase, actor=actor)
    app = build(settings, passphrase=passphrase)
    try:
        created = create_source(
            uow_factory=app.uow_factory,
            audit=app.audit,
            clock=app.clock,
            actor=actor,
            name="bench-web",
            channel=Channel.WEB,
        )
    finally:
        app.close()
    return settings, created.write_key


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextlib.contextmanager
def serving(settings: Settings, passphrase: str, log: Path, *, workers: int = 1) -> Iterator[str]:
    """``strongroom serve`` over TLS on a free port until the block ends; yields its URL."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("STRONGROOM_")}
    env |= {
        "STRONGROOM_HOME": str(settings.home),
        "STRONGROOM_ROOT_PASSPHRASE": passphrase,
        "STRONGROOM_DATABASE_URL": settings.database,
    }
    port = free_port()
    url = f"https://127.0.0.1:{port}"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [strongroom_executable(), "serve", "--port", str(port), "--workers", str(workers)],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_until_healthy(process, url, settings.tls_cert_path, log)
            yield url
        finally:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(timeout=10)


def _wait_until_healthy(process: subprocess.Popen[bytes], url: str, cert: Path, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    with httpx.Client(verify=ssl.create_default_context(cafile=str(cert)), timeout=2) as client:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise SystemExit(f"the server exited while starting:\n{log.read_text()}")
            with contextlib.suppress(httpx.TransportError):
                if client.get(f"{url}/healthz").status_code == 200:
                    return
            time.sleep(0.1)
    raise SystemExit(
        f"the server did not answer within {STARTUP_TIMEOUT:.0f} s:\n{log.read_text()}"
    )


@dataclass(frozen=True, slots=True)
class Run:
    events: int
    seconds: float
    batch_seconds: list[float]

    @property
    def rate(self) -> float:
        return self.events / self.seconds


def post_through_server(
    url: str, cert: Path, write_key: str, messages: Sequence[Message], batch_size: int
) -> Run:
    """POST every batch over one keep-alive HTTPS connection; time from first to last answer."""
    bodies = [
        json.dumps({"batch": list(batch)}).encode() for batch in batches(messages, batch_size)
    ]
    context = ssl.create_default_context(cafile=str(cert))
    latencies: list[float] = []
    with httpx.Client(
        base_url=url, verify=context, auth=(write_key, ""), timeout=60, trust_env=False
    ) as client:
        client.get("/healthz").raise_for_status()  # the TLS handshake is not part of the figure
        started = time.perf_counter()
        for body in bodies:
            sent = time.perf_counter()
            response = client.post(
                "/v1/batch", content=body, headers={"Content-Type": "application/json"}
            )
            latencies.append(time.perf_counter() - sent)
            if response.status_code != 200:
                raise SystemExit(f"/v1/batch answered {response.status_code}: {response.text}")
        elapsed = time.perf_counter() - started
    return Run(len(messages), elapsed, latencies)


def count_stored(settings: Settings) -> tuple[int, int]:
    """(events, customers) in Strongroom's database: the figure counts only what was stored."""
    engine = create_database_engine(settings.database)
    try:
        with engine.connect() as connection:
            events = connection.execute(text("SELECT count(*) FROM events")).scalar_one()
            customers = connection.execute(text("SELECT count(*) FROM customers")).scalar_one()
    finally:
        engine.dispose()
    return int(events), int(customers)


# --- the baseline: the same events, unprotected ---------------------------------------------------


def insert_plainly(path: Path, messages: Sequence[Message], batch_size: int) -> Run:
    """The same events into one SQLite table: no encryption, no audit, no identity resolution."""
    with contextlib.closing(sqlite3.connect(path, isolation_level=None)) as database:
        database.execute("PRAGMA journal_mode=WAL")  # as Strongroom sets them
        database.execute("PRAGMA synchronous=NORMAL")
        database.execute(
            "CREATE TABLE events (message_id TEXT PRIMARY KEY, type TEXT NOT NULL, "
            "user_id TEXT, event TEXT, traits TEXT, properties TEXT, timestamp TEXT NOT NULL)"
        )
        latencies: list[float] = []
        started = time.perf_counter()
        for batch in batches(messages, batch_size):
            sent = time.perf_counter()
            rows = [
                (
                    message["messageId"],
                    message["type"],
                    message.get("userId"),
                    message.get("event") or message.get("name"),
                    json.dumps(message.get("traits", {})),
                    json.dumps(message.get("properties", {})),
                    message["timestamp"],
                )
                for message in batch
            ]
            database.execute("BEGIN")
            database.executemany("INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
            database.execute("COMMIT")
            latencies.append(time.perf_counter() - sent)
        elapsed = time.perf_counter() - started
        (stored,) = database.execute("SELECT count(*) FROM events").fetchone()
    if stored != len(messages):
        raise SystemExit(f"the baseline stored {stored} of {len(messages)} events")
    return Run(len(messages), elapsed, latencies)


# --- the report ---------------------------------------------------------------------------------


def _milliseconds(seconds: float) -> str:
    return f"{seconds * 1000:7.1f} ms"


def describe(name: str, run: Run) -> str:
    ordered = sorted(run.batch_seconds)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return (
        f"{name:<34} {run.rate:>10,.0f} events/s   {run.seconds:7.2f} s   "
        f"batch p50 {_milliseconds(statistics.median(ordered))}   p95 {_milliseconds(p95)}"
    )


def parse_arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--events", type=int, default=20_000, help="tracking calls to send")
    parser.add_argument("--batch-size", type=int, default=100, help="calls per /v1/batch request")
    parser.add_argument("--seed", type=int, default=7, help="seed of the synthetic workload")
    parser.add_argument(
        "--database-url",
        default=None,
        help="an empty database for Strongroom (default: SQLite in the temporary data home)",
    )
    arguments = parser.parse_args(argv)
    if arguments.events < 1 or not 1 <= arguments.batch_size <= 1000:
        parser.error("--events must be positive and --batch-size from 1 to 1000")
    return arguments


def main(argv: Sequence[str] | None = None) -> None:
    arguments = parse_arguments(argv)
    workload = make_workload(arguments.events, seed=arguments.seed)
    print(
        f"Workload: {arguments.events:,} calls in batches of {arguments.batch_size}: "
        f"{workload.customers:,} new customers identified with traits, "
        f"{workload.orders:,} orders, the rest product and page views"
    )
    passphrase = secrets.token_urlsafe(24)
    with tempfile.TemporaryDirectory(prefix="strongroom-bench-") as scratch:
        root = Path(scratch)
        settings, write_key = prepare_home(root / "home", passphrase, arguments.database_url)
        database = "PostgreSQL" if settings.database.startswith("postgresql") else "SQLite"
        with serving(settings, passphrase, root / "server.log") as url:
            protected = post_through_server(
                url, settings.tls_cert_path, write_key, workload.messages, arguments.batch_size
            )
        stored = count_stored(settings)
        plain = insert_plainly(root / "plain.sqlite3", workload.messages, arguments.batch_size)
    if stored != (len(workload.messages), workload.customers):
        raise SystemExit(
            f"Strongroom stored {stored[0]} events of {len(workload.messages)} and "
            f"{stored[1]} customers of {workload.customers}"
        )

    print(describe(f"Strongroom over TLS ({database})", protected))
    print(describe("plain SQLite executemany", plain))
    print(f"protected / plain = {protected.rate / plain.rate:.4f}")
    print(f"(protection costs a factor of {plain.rate / protected.rate:,.1f})")


if __name__ == "__main__":
    main()
