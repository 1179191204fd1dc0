"""Vault benchmarks, each against a baseline measured in the same run.

    .venv/bin/python benchmarks/vault.py [--customers 1000000] [--database-url URL]

1. Field encryption: encrypt + decrypt of one email through ``SubjectVault`` (JSON encoding,
   versioned header, AAD binding record, field and key version) against bare ``AESGCM`` calls.
2. Lookup by email among N customers: the shortened blind index, candidate decryption and
   filtering (``vault.search.match_customers``) against a plaintext indexed ``SELECT`` on the
   same database; p50 and p99 over 1,000 lookups.
3. Rotation: customer keys re-wrapped per second under a new field KEK version.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import Column, Engine, MetaData, String, Table, insert, select

from strongroom.adapters.sql.engine import create_database_engine
from strongroom.adapters.sql.migrate import upgrade_database
from strongroom.adapters.sql.unit_of_work import SqlUnitOfWorkFactory
from strongroom.audit.service import AuditLog
from strongroom.core.models import (
    Actor,
    BlindIndexEntry,
    CustomerId,
    PrincipalKind,
    StoredCustomer,
    WrappedDataKey,
)
from strongroom.vault.blindindex import plan_index_bits
from strongroom.vault.keyring import KeyKind, Keyring
from strongroom.vault.keysource import LiveKeyring
from strongroom.vault.rootkey import LocalRootKey
from strongroom.vault.rotation import Rotation
from strongroom.vault.search import match_customers
from strongroom.vault.service import SubjectVault

NOW = datetime.now(UTC)
BATCH = 5_000


class Clock:
    def now(self) -> datetime:
        return datetime.now(UTC)


def rate(count: int, seconds: float) -> str:
    return f"{count / seconds:>12,.0f}/s"


def bench_field_encryption(vault: SubjectVault, operations: int) -> None:
    key, customer = os.urandom(32), CustomerId(str(uuid.uuid4()))
    email = "jane.doe@example.com"
    started = time.perf_counter()
    for _ in range(operations):
        ciphertext = vault.encrypt(key, customer_id=customer, field="email", value=email)
        vault.decrypt(key, customer_id=customer, field="email", ciphertext=ciphertext)
    protected = time.perf_counter() - started
    aead, aad, plaintext = AESGCM(key), b"email", email.encode()
    started = time.perf_counter()
    for _ in range(operations):
        nonce = os.urandom(12)
        aead.decrypt(nonce, aead.encrypt(nonce, plaintext, aad), aad)
    raw = time.perf_counter() - started
    print("1. field encrypt+decrypt")
    print(f"   SubjectVault          {rate(operations, protected)}")
    print(f"   raw AESGCM            {rate(operations, raw)}")
    print(f"   vault / raw = {raw / protected:.3f} (overhead x{protected / raw:.2f})")


def populate(engine: Engine, vault: SubjectVault, customers: int, plain: Table) -> list[str]:
    factory = SqlUnitOfWorkFactory(engine)
    emails: list[str] = []
    started = time.perf_counter()
    for first in range(0, customers, BATCH):
        stored, keys, indexes, plain_rows = [], [], [], []
        for n in range(first, min(first + BATCH, customers)):
            customer_id = CustomerId(str(uuid.uuid4()))
            email = f"person{n}@example.com"
            subject_key, wrapped = vault.new_subject_key(customer_id)
            ciphertext = vault.encrypt(
                subject_key, customer_id=customer_id, field="email", value=email
            )
            stored.append(StoredCustomer(customer_id, NOW, NOW, encrypted={"email": ciphertext}))
            keys.append(wrapped)
            version, lookup = vault.search_index("email", email)
            indexes.append(BlindIndexEntry(customer_id, "email", version, lookup))
            plain_rows.append({"id": customer_id, "email": email})
            emails.append(email)
        with factory() as uow:
            uow.customers.add(stored)
            uow.subject_keys.add(keys)
            uow.customers.replace_blind_indexes(indexes)
            uow.commit()
        with engine.begin() as connection:
            connection.execute(insert(plain), plain_rows)
        if (first // BATCH) % 20 == 0:
            print(f"   ... {first + len(stored):,} customers stored", flush=True)
    print(f"   populated {customers:,} customers in {time.perf_counter() - started:.0f} s")
    return emails


def latencies(lookups: list[str], find: Callable[[str], int]) -> tuple[float, float]:
    timings = []
    for email in lookups:
        started = time.perf_counter()
        assert find(email) == 1, email
        timings.append((time.perf_counter() - started) * 1000)
    quantiles = statistics.quantiles(timings, n=100)
    return quantiles[49], quantiles[98]


def bench_lookups(engine: Engine, vault: SubjectVault, emails: list[str], plain: Table) -> None:
    reader = SqlUnitOfWorkFactory(engine, read_only=True)
    sample = random.Random(7).sample(emails, 1000)

    def protected(email: str) -> int:
        with reader() as uow:
            return len(match_customers(uow, vault, "email", [email])[email])

    def plaintext(email: str) -> int:
        with engine.connect() as connection:
            return len(connection.execute(select(plain.c.id).where(plain.c.email == email)).all())

    p50, p99 = latencies(sample, protected)
    b50, b99 = latencies(sample, plaintext)
    print(f"2. lookup by email among {len(emails):,} customers ({engine.dialect.name})")
    print(f"   blind index + decrypt  p50 {p50:7.3f} ms   p99 {p99:7.3f} ms")
    print(f"   plaintext index        p50 {b50:7.3f} ms   p99 {b99:7.3f} ms")
    print(f"   plaintext / protected p50 = {b50 / p50:.3f} (x{p50 / b50:.2f} slower)")


def bench_rotation(engine: Engine, vault: SubjectVault, root: LocalRootKey, customers: int) -> None:
    factory = SqlUnitOfWorkFactory(engine)
    rotation = Rotation(
        uow_factory=factory,
        root_key=root,
        vault=vault,
        audit=AuditLog(Clock()),
        clock=Clock(),
        actor=Actor(PrincipalKind.LOCAL, "bench", "admin"),
    )
    rotation.add_version(KeyKind.FIELD_KEK, population=customers)
    started = time.perf_counter()
    moved = rotation.rewrap_subject_keys(batch_size=2_000)
    seconds = time.perf_counter() - started
    print("3. field-KEK rotation")
    print(f"   {moved:,} customer keys re-wrapped in {seconds:.1f} s: {rate(moved, seconds)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--operations", type=int, default=200_000)
    parser.add_argument("--database-url", default=None, help="default: a temporary SQLite file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
        engine = create_database_engine(url)
        try:
            run(engine, args.customers, args.operations)
        finally:
            engine.dispose()


def run(engine: Engine, customers: int, operations: int) -> None:
    upgrade_database(engine)
    root = LocalRootKey(os.urandom(32))
    with SqlUnitOfWorkFactory(engine)() as uow:
        bits = plan_index_bits(customers)
        uow.data_keys.add(Keyring.create_initial(root, now=NOW, index_bits=bits))
        uow.commit()
    reader = SqlUnitOfWorkFactory(engine, read_only=True)

    def fetch() -> list[WrappedDataKey]:
        with reader() as uow:
            return uow.data_keys.all()

    vault = SubjectVault(LiveKeyring(root, fetch))
    print(f"blind index: {bits} bits for {customers:,} customers")
    bench_field_encryption(vault, operations)
    plain = Table(
        "bench_plain_customers",
        MetaData(),
        Column("id", String, primary_key=True),
        Column("email", String, index=True),
    )
    plain.create(engine)
    try:
        emails = populate(engine, vault, customers, plain)
        bench_lookups(engine, vault, emails, plain)
        bench_rotation(engine, vault, root, customers)
    finally:
        plain.drop(engine)


if __name__ == "__main__":
    main()
