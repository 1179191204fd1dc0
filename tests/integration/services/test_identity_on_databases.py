"""Identity resolution on SQLite and PostgreSQL: merges, unmerge, erasure, concurrent batches."""

from __future__ import annotations

import json
import os
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, func, select

from strongroom.adapters.sql.tables import customers, events
from strongroom.adapters.sql.tables_identity import merge_heads
from strongroom.adapters.sql.unit_of_work import SqlUnitOfWorkFactory
from strongroom.audit.service import AuditLog, verify_audit_log
from strongroom.collect.merges import IdentityService
from strongroom.collect.segment import ParsedRequest, parse_request
from strongroom.collect.service import Ingestor
from strongroom.collect.sources import create_source
from strongroom.core.identity import root_of
from strongroom.core.models import Actor, Channel, CustomerId, IdentifierKind, PrincipalKind
from strongroom.core.ports import UnitOfWorkFactory
from strongroom.vault.keyring import Keyring
from strongroom.vault.rootkey import LocalRootKey
from strongroom.vault.service import SubjectVault
from strongroom.vault.shredding import Shredder

OPERATOR = Actor(PrincipalKind.LOCAL, "ops", role="admin")


class Clock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class World:
    def __init__(self, factory: UnitOfWorkFactory) -> None:
        root = LocalRootKey(os.urandom(32))
        self.keyring = Keyring.open(root, Keyring.create_initial(root, now=Clock().now()))
        self.vault = SubjectVault(self.keyring)
        self.factory = factory
        self.audit = AuditLog(Clock())
        self.source = create_source(
            uow_factory=factory,
            audit=self.audit,
            clock=Clock(),
            actor=OPERATOR,
            name="app",
            channel=Channel.MOBILE,
        ).source
        self.ingestor = Ingestor(
            uow_factory=factory, vault=self.vault, audit=self.audit, clock=Clock()
        )
        self.identity = IdentityService(factory, self.audit, Clock())

    def send(self, request: ParsedRequest) -> None:
        self.ingestor.ingest(source=self.source, request=request)

    def owner(self, kind: IdentifierKind, value: str) -> CustomerId:
        lookups = [lookup for _, lookup in self.vault.lookup_values(kind.value, value)]
        with self.factory() as uow:
            (entry,) = uow.identifiers.resolve(kind, lookups).values()
            path = root_of(uow.merges, entry)
        return path[-1].target_id if path else entry


def _batch(*messages: dict[str, Any]) -> ParsedRequest:
    return parse_request(json.dumps({"batch": list(messages)}).encode(), endpoint="batch")


def _msg(
    mid: str, kind: str, *, user: str | None = None, anon: str | None = None
) -> dict[str, Any]:
    message: dict[str, Any] = {"type": kind, "messageId": mid, "anonymousId": anon}
    if user:
        message["userId"] = user
    if kind == "track":
        message["event"] = "Viewed"
    return message


def test_merge_unmerge_and_erasure_on_the_database(sql_engine: Engine) -> None:
    world = World(SqlUnitOfWorkFactory(sql_engine))
    world.send(_batch(_msg("1", "identify", user="u1", anon="a1")))
    world.send(_batch(_msg("2", "track", anon="a2"), _msg("3", "track", anon="a2")))
    merged_away = world.owner(IdentifierKind.ANONYMOUS_ID, "a2")
    world.send(_batch(_msg("4", "identify", user="u1", anon="a2")))
    world.send(_batch(_msg("5", "track", anon="a2")))
    survivor = world.owner(IdentifierKind.USER_ID, "u1")
    assert world.owner(IdentifierKind.ANONYMOUS_ID, "a2") == survivor != merged_away
    with sql_engine.connect() as connection:
        on_survivor = connection.scalar(
            select(func.count()).where(events.c.customer_id == survivor)
        )
    assert on_survivor == 5
    (merge,) = world.identity.merges()
    done = world.identity.unmerge(actor=OPERATOR, merge_id=merge.id, reason="ticket 12")
    assert done.events == 3
    assert world.owner(IdentifierKind.ANONYMOUS_ID, "a2") == merged_away
    world.send(_batch(_msg("6", "identify", user="u1", anon="a2")))  # not merged again
    assert world.owner(IdentifierKind.ANONYMOUS_ID, "a2") == merged_away
    (review,) = world.identity.reviews(status=None)  # the unmerge rejected the pair
    assert (review.reason, review.merge_id) == ("unmerged", merge.id)


def test_erasure_shreds_every_key_of_a_merged_person(sql_engine: Engine) -> None:
    factory = SqlUnitOfWorkFactory(sql_engine)
    world = World(factory)
    world.send(_batch(_msg("1", "identify", user="u1", anon="a1")))
    world.send(_batch(_msg("2", "track", anon="a2")))
    merged_away = world.owner(IdentifierKind.ANONYMOUS_ID, "a2")
    world.send(_batch(_msg("3", "identify", user="u1", anon="a2")))
    survivor = world.owner(IdentifierKind.USER_ID, "u1")
    with factory() as uow:
        receipts = Shredder(world.keyring, world.audit).erase_person(
            uow,
            actor=OPERATOR,
            customer_id=merged_away,  # either member names the person
            reason="dsar 3",
            purpose="administration",
            now=Clock().now(),
        )
        uow.commit()
    assert len(receipts) == 2
    with factory() as uow:
        assert uow.subject_keys.get_many([survivor, merged_away]) == {}
        assert uow.identifiers.for_customer(survivor) == []
        assert uow.identifiers.for_customer(merged_away) == []
    assert verify_audit_log(uow_factory=factory).entries_checked > 0


def test_concurrent_batches_merge_each_visitor_once(sql_engine: Engine) -> None:
    factory = SqlUnitOfWorkFactory(sql_engine)
    world = World(factory)
    people = 12
    world.send(
        _batch(*[_msg(f"i{n}", "identify", user=f"u{n}", anon=f"a{n}") for n in range(people)])
    )
    world.send(_batch(*[_msg(f"t{n}", "track", anon=f"b{n}") for n in range(people)]))
    # Six batches race, each linking an overlapping half of the visitors to their users.
    batches = [
        _batch(
            *[
                _msg(
                    f"w{worker}-{n}",
                    "identify" if n % 2 else "track",
                    user=f"u{n}" if n % 2 else None,
                    anon=f"b{n}",
                )
                for n in range(people)
                if (n + worker) % 3
            ]
        )
        for worker in range(6)
    ]
    with ThreadPoolExecutor(max_workers=3) as pool:
        list(pool.map(world.send, batches))
    with sql_engine.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(customers)) == 2 * people
        assert connection.scalar(select(func.count()).select_from(merge_heads)) == people // 2
    for n in range(1, people, 2):
        assert world.owner(IdentifierKind.ANONYMOUS_ID, f"b{n}") == world.owner(
            IdentifierKind.USER_ID, f"u{n}"
        )
    with sql_engine.connect() as connection:
        heads = [CustomerId(s) for s in connection.scalars(select(merge_heads.c.source_id))]
        stranded = connection.scalar(select(func.count()).where(events.c.customer_id.in_(heads)))
    assert stranded == 0  # no event was left on a merged-away customer
    assert verify_audit_log(uow_factory=factory).entries_checked > len(batches)
