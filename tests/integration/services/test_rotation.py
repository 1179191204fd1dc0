"""Key rotation on each store: versions added, records moved in batches, old versions retired.

Reads and lookups keep working at every step, and a version still in use cannot be retired.
"""

from __future__ import annotations

import json
import os
import threading
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Engine

from strongroom.access.profiles import ProfileReader
from strongroom.adapters.sql.unit_of_work import SqlUnitOfWorkFactory
from strongroom.audit.service import AuditLog, verify_audit_log
from strongroom.collect.segment import parse_request
from strongroom.collect.service import Ingestor
from strongroom.collect.sources import create_source
from strongroom.core.errors import ConflictError, InvalidInputError
from strongroom.core.models import Actor, Channel, PrincipalKind, Source
from strongroom.core.ports import UnitOfWorkFactory
from strongroom.vault.keyring import KeyKind, Keyring
from strongroom.vault.keysource import LiveKeyring
from strongroom.vault.rootkey import LocalRootKey
from strongroom.vault.rotation import Rotation
from strongroom.vault.service import SubjectVault
from strongroom.vault.status import key_status

OPERATOR = Actor(PrincipalKind.LOCAL, "ops", role="admin")
DPO = Actor(PrincipalKind.STAFF, "dana", role="dpo")


class Clock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class Deployment:
    """One data home seen by one process: its own live keyring, as a server or the CLI has."""

    def __init__(self, factory: UnitOfWorkFactory, root: LocalRootKey) -> None:
        reader = (
            SqlUnitOfWorkFactory(factory.engine, read_only=True)
            if isinstance(factory, SqlUnitOfWorkFactory)
            else factory
        )

        def fetch() -> list[Any]:
            with reader() as uow:
                return uow.data_keys.all()

        self.vault = SubjectVault(LiveKeyring(root, fetch, max_age=0.2))
        self.audit = AuditLog(Clock())
        self.ingestor = Ingestor(
            uow_factory=factory, vault=self.vault, audit=self.audit, clock=Clock()
        )
        self.profiles = ProfileReader(uow_factory=factory, vault=self.vault, audit=self.audit)
        self.rotation = Rotation(
            uow_factory=factory,
            root_key=root,
            vault=self.vault,
            audit=self.audit,
            clock=Clock(),
            actor=OPERATOR,
        )


def _home(factory: UnitOfWorkFactory) -> tuple[Deployment, LocalRootKey, Source]:
    root = LocalRootKey(os.urandom(32))
    with factory() as uow:
        uow.data_keys.add(Keyring.create_initial(root, now=Clock().now(), index_bits=8))
        uow.commit()
    deployment = Deployment(factory, root)
    source = create_source(
        uow_factory=factory,
        audit=deployment.audit,
        clock=Clock(),
        actor=OPERATOR,
        name="web",
        channel=Channel.WEB,
    ).source
    return deployment, root, source


def _ingest(deployment: Deployment, source: Source, people: range, tag: str = "") -> None:
    batch = [
        {
            "type": "identify",
            "userId": f"u{n}",
            "messageId": f"m{tag}{n}",
            "traits": {"email": f"p{n}@example.com", "phone": f"+1415555{n:04d}"},
        }
        for n in people
    ]
    request = parse_request(json.dumps({"batch": batch}).encode(), endpoint="batch")
    deployment.ingestor.ingest(source=source, request=request)


def _finds(deployment: Deployment, n: int) -> bool:
    by_email = deployment.profiles.find_customers(
        actor=DPO, field="email", value=f"P{n}@example.com"
    )
    by_phone = deployment.profiles.find_customers(
        actor=DPO, field="phone", value=f"(415) 555-{n:04d}"
    )
    return len(by_email) == 1 and len(by_phone) == 1 and by_email[0].id == by_phone[0].id


def _records(factory: UnitOfWorkFactory, kind: KeyKind) -> dict[int, int | None]:
    return {s.version: s.records for s in key_status(uow_factory=factory) if s.kind == kind.value}


def test_field_key_rotation_rewraps_every_customer_key_then_retires_the_old(
    uow_factory: UnitOfWorkFactory,
) -> None:
    deployment, _, source = _home(uow_factory)
    _ingest(deployment, source, range(25))
    assert deployment.rotation.add_version(KeyKind.FIELD_KEK, population=25) == 2
    with pytest.raises(ConflictError, match="25 customer keys are still wrapped"):
        deployment.rotation.retire(KeyKind.FIELD_KEK, 1)
    moved = deployment.rotation.rewrap_subject_keys(batch_size=7)
    assert moved == 25
    assert _records(uow_factory, KeyKind.FIELD_KEK) == {1: 0, 2: 25}
    deployment.rotation.retire(KeyKind.FIELD_KEK, 1)
    assert all(_finds(deployment, n) for n in range(25))
    with pytest.raises(ConflictError, match="is the current one"):
        deployment.rotation.retire(KeyKind.FIELD_KEK, 2)


def test_blind_index_rotation_keeps_lookups_working_at_every_step(
    uow_factory: UnitOfWorkFactory,
) -> None:
    deployment, _, source = _home(uow_factory)
    _ingest(deployment, source, range(12))
    deployment.rotation.add_version(KeyKind.BLIND_INDEX, population=1_000)
    assert all(_finds(deployment, n) for n in range(12))  # only version 1 rows exist yet
    _ingest(deployment, source, range(12, 15))  # written under version 2 only
    with pytest.raises(ConflictError, match="not yet indexed"):
        deployment.rotation.retire(KeyKind.BLIND_INDEX, 1)
    deployment.rotation.rebuild_blind_indexes(batch_size=5)
    deployment.rotation.retire(KeyKind.BLIND_INDEX, 1)
    assert _records(uow_factory, KeyKind.BLIND_INDEX)[1] == 0
    assert all(_finds(deployment, n) for n in range(15))
    _ingest(deployment, source, range(15), tag="again")  # identifiers still resolve: no new people
    with uow_factory() as uow:
        assert uow.customers.count() == 15


def test_rebuilding_twice_does_nothing_the_second_time(uow_factory: UnitOfWorkFactory) -> None:
    deployment, _, source = _home(uow_factory)
    _ingest(deployment, source, range(4))
    deployment.rotation.add_version(KeyKind.BLIND_INDEX, population=100)
    first = deployment.rotation.rebuild_blind_indexes()
    assert first == 4 * 2 + 4  # email and phone of each, and each one's userId
    assert deployment.rotation.rebuild_blind_indexes() == 0


def test_only_countable_kinds_can_be_retired(uow_factory: UnitOfWorkFactory) -> None:
    deployment, _, _ = _home(uow_factory)
    with pytest.raises(InvalidInputError, match="cannot be retired yet"):
        deployment.rotation.retire(KeyKind.PSEUDONYM, 1)


def test_rotation_while_ingesting_and_looking_up_counts_zero_failures(sql_engine: Engine) -> None:
    factory = SqlUnitOfWorkFactory(sql_engine)
    server, root, source = _home(factory)
    _ingest(server, source, range(40))
    operator = Deployment(factory, root)  # the CLI process running the rotation
    failures: list[BaseException] = []
    stop = threading.Event()

    def keep_ingesting() -> None:
        n = 1000
        while not stop.is_set():
            try:
                _ingest(server, source, range(n, n + 5))
            except BaseException as error:
                failures.append(error)
            n += 5

    def keep_looking_up() -> None:
        while not stop.is_set():
            try:
                if not all(_finds(server, n) for n in range(0, 40, 7)):
                    failures.append(AssertionError("a lookup found nothing"))
            except BaseException as error:
                failures.append(error)

    workers = [threading.Thread(target=keep_ingesting), threading.Thread(target=keep_looking_up)]
    for worker in workers:
        worker.start()
    try:
        for kind in (KeyKind.FIELD_KEK, KeyKind.BLIND_INDEX):
            operator.rotation.add_version(kind, population=1_000)
        operator.rotation.rewrap_subject_keys(batch_size=10)
        operator.rotation.rebuild_blind_indexes(batch_size=10)
    finally:
        stop.set()
        for worker in workers:
            worker.join()
    assert failures == []
    # Stragglers written by the server with the old versions just before it noticed: finish.
    operator.rotation.rewrap_subject_keys()
    operator.rotation.rebuild_blind_indexes()
    operator.rotation.retire(KeyKind.FIELD_KEK, 1)
    operator.rotation.retire(KeyKind.BLIND_INDEX, 1)
    assert all(_finds(server, n) for n in range(40))
    verify_audit_log(uow_factory=factory)


def test_a_token_key_version_is_retired_only_when_no_card_uses_it(
    uow_factory: UnitOfWorkFactory,
) -> None:
    deployment, _, _ = _home(uow_factory)
    deployment.rotation.add_version(KeyKind.TOKEN, population=1)
    deployment.rotation.retire(KeyKind.TOKEN, 1)  # no card was ever stored under version 1
    assert _records(uow_factory, KeyKind.TOKEN) == {1: 0, 2: 0}
    with pytest.raises(ConflictError, match="is the current one"):
        deployment.rotation.retire(KeyKind.TOKEN, 2)
