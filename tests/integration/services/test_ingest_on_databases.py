"""The whole secure path on each store: ingest, encrypted at rest, read through the policy, audited.

Runs on the in-memory fakes, SQLite and PostgreSQL; the concurrency test runs on both databases.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, select

from strongroom.access.profiles import ProfileReader
from strongroom.adapters.sql.tables import customers
from strongroom.adapters.sql.unit_of_work import SqlUnitOfWorkFactory
from strongroom.audit.service import AuditLog, verify_audit_log
from strongroom.collect.segment import parse_request
from strongroom.collect.service import Ingestor
from strongroom.collect.sources import create_source
from strongroom.core.models import Actor, Channel, PrincipalKind, Source
from strongroom.core.ports import UnitOfWorkFactory
from strongroom.vault.keyring import Keyring
from strongroom.vault.rootkey import LocalRootKey
from strongroom.vault.service import SubjectVault

OPERATOR = Actor(PrincipalKind.LOCAL, "ops", role="admin")
DPO = Actor(PrincipalKind.STAFF, "dana", role="dpo")
SUPPORT = Actor(PrincipalKind.STAFF, "sam", role="support")


class Clock:
    def now(self) -> datetime:
        return datetime.now(UTC)


def _wire(factory: UnitOfWorkFactory) -> tuple[Ingestor, ProfileReader, Source]:
    root = LocalRootKey(os.urandom(32))
    vault = SubjectVault(Keyring.open(root, Keyring.create_initial(root, now=Clock().now())))
    audit = AuditLog(Clock())
    source = create_source(
        uow_factory=factory,
        audit=audit,
        clock=Clock(),
        actor=OPERATOR,
        name="pos-1",
        channel=Channel.POS,
    ).source
    ingestor = Ingestor(uow_factory=factory, vault=vault, audit=audit, clock=Clock())
    return ingestor, ProfileReader(uow_factory=factory, vault=vault, audit=audit), source


def _batch(*messages: dict[str, Any]) -> Any:
    return parse_request(json.dumps({"batch": list(messages)}).encode(), endpoint="batch")


def _identify(n: int) -> dict[str, Any]:
    return {
        "type": "identify",
        "userId": f"user-{n}",
        "messageId": f"m-{n}",
        "traits": {
            "email": f"Person{n}@Example.org",
            "lastName": f"Quixotic{n}",
            "age": 30 + n % 40,
        },
    }


def test_a_customer_travels_the_whole_path(
    uow_factory: UnitOfWorkFactory, train_staff: Callable[..., None]
) -> None:
    train_staff(uow_factory, DPO)  # reads PII unmasked only with current training
    ingestor, profiles, source = _wire(uow_factory)
    ingestor.ingest(source=source, request=_batch(_identify(1)))
    (found,) = profiles.find_customers(actor=DPO, field="email", value="person1@example.org")
    assert found.traits["last_name"] == "Quixotic1"
    masked = profiles.read_customer(actor=SUPPORT, customer_id=found.id)
    assert masked.traits["email"] == "P***@Example.org"
    assert masked.traits["age"] == 31
    report = verify_audit_log(uow_factory=uow_factory)
    assert report.entries_checked == 6  # training and policy ack, source, ingest, search, read


def test_concurrent_batches_keep_one_customer_per_person_and_an_intact_chain(
    sql_engine: Engine,
) -> None:
    factory = SqlUnitOfWorkFactory(sql_engine)
    ingestor, profiles, source = _wire(factory)
    # Eight workers send overlapping batches: the same 40 people, each message id once per batch.
    batches = [
        _batch(*[{**_identify(n), "messageId": f"w{worker}-{n}"} for n in range(worker, 40, 2)])
        for worker in range(8)
    ]
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda b: ingestor.ingest(source=source, request=b), batches))
    assert sum(result.customers_created for result in results) == 40
    with sql_engine.connect() as connection:
        assert len(connection.execute(select(customers.c.id)).all()) == 40
    assert verify_audit_log(uow_factory=factory).entries_checked == 1 + len(batches)
    assert len(profiles.find_customers(actor=DPO, field="email", value="person7@example.org")) == 1


def test_no_pii_is_stored_in_plaintext(sql_engine: Engine) -> None:
    factory = SqlUnitOfWorkFactory(sql_engine)
    ingestor, _, source = _wire(factory)
    ingestor.ingest(source=source, request=_batch(*[_identify(n) for n in range(5)]))
    with sql_engine.connect() as connection:
        rows = connection.execute(select(customers)).all()
    dumped = repr(rows)
    assert len(rows) == 5
    for n in range(5):
        assert f"Quixotic{n}" not in dumped
        assert f"person{n}@example.org" not in dumped.lower()
