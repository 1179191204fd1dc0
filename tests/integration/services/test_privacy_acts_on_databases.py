"""Carrying out data-subject requests on each store: erasure through a verified request with the
receipt naming it, a request checked against the customer named, and retention run by staff
under the policy."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from tests.worlds import FixedClock, fresh_keyring, send_batch, web_source

from strongroom.access.erasure import ErasureService
from strongroom.access.profiles import ProfileReader
from strongroom.adapters.ledger import FileErasureLedger
from strongroom.audit.service import AuditLog
from strongroom.collect.service import Ingestor
from strongroom.core.errors import ConflictError, NotFoundError, PermissionDeniedError
from strongroom.core.models import Actor, CustomerId, PrincipalKind, Source
from strongroom.core.ports import UnitOfWorkFactory
from strongroom.core.privacy import RequestKind
from strongroom.core.trail import AuditAction
from strongroom.privacy.erasure import RequestEraser
from strongroom.privacy.requests import RequestDesk
from strongroom.privacy.retention import RetentionRunner, retention_rules
from strongroom.vault.receipts import check_receipt
from strongroom.vault.service import SubjectVault

from ...conftest import StaffTrainer

OPERATOR = Actor(PrincipalKind.LOCAL, "ops", role="admin")
DPO = Actor(PrincipalKind.STAFF, "dana", role="dpo")
SUPPORT = Actor(PrincipalKind.STAFF, "sam", role="support")
START = datetime.now(UTC).replace(microsecond=0)


@dataclass
class World:
    factory: UnitOfWorkFactory
    ingestor: Ingestor
    source: Source
    desk: RequestDesk
    eraser: RequestEraser
    retention: RetentionRunner
    erasure: ErasureService
    profiles: ProfileReader


@pytest.fixture
def world(uow_factory: UnitOfWorkFactory, tmp_path: Path, train_staff: StaffTrainer) -> World:
    clock = FixedClock(START)
    keyring = fresh_keyring(START)
    audit = AuditLog(clock)
    source = web_source(uow_factory, audit, clock, OPERATOR)
    erasure = ErasureService(
        uow_factory, keyring, audit, FileErasureLedger(tmp_path / "erasures.jsonl"), clock
    )
    train_staff(uow_factory, DPO, SUPPORT, clock=clock)
    vault = SubjectVault(keyring)
    return World(
        factory=uow_factory,
        ingestor=Ingestor(uow_factory=uow_factory, vault=vault, audit=audit, clock=clock),
        source=source,
        desk=RequestDesk(uow_factory, audit, clock),
        eraser=RequestEraser(uow_factory, audit, erasure),
        retention=RetentionRunner(uow_factory, audit, clock),
        erasure=erasure,
        profiles=ProfileReader(uow_factory=uow_factory, vault=vault, audit=audit),
    )


def _person(world: World, n: int, *, days_ago: int = 0) -> CustomerId:
    when = (START - timedelta(days=days_ago)).isoformat()
    messages = [
        {"type": "identify", "userId": f"u-{n}", "traits": {"email": f"p{n}@example.org"}},
        {"type": "track", "userId": f"u-{n}", "event": "Tea Viewed", "timestamp": when},
    ]
    send_batch(world.ingestor, world.source, *messages)
    (found,) = world.profiles.find_customers(actor=DPO, field="email", value=f"p{n}@example.org")
    return found.id


def test_a_verified_erasure_request_is_carried_out_with_a_receipt_naming_it(
    world: World,
) -> None:
    alice = _person(world, 1)
    request = world.desk.open(actor=DPO, customer_id=alice, kind=RequestKind.ERASURE)
    with pytest.raises(ConflictError, match="verified"):
        world.eraser.erase(actor=DPO, request_id=request.id)
    world.desk.verify(actor=DPO, request_id=request.id, verification="signed letter")
    with pytest.raises(PermissionDeniedError):
        world.eraser.erase(actor=SUPPORT, request_id=request.id)

    receipt = world.eraser.erase(actor=DPO, request_id=request.id, reason=" by post ")

    assert receipt.reason == f"data-subject request {request.id}: by post"
    assert check_receipt(receipt, trusted_keys=world.erasure.home_signing_keys()).ok
    with world.factory() as uow:
        assert uow.subject_keys.get_many([alice]) == {}
        erased = [e for e in uow.audit.scan() if e.draft.action is AuditAction.CUSTOMER_ERASED]
    assert [(e.draft.actor, e.draft.purpose) for e in erased] == [("staff:dana", "dsar")]
    closed = world.desk.close(actor=DPO, request_id=request.id, completed=True, outcome="done")
    assert closed.outcome == "done"


def test_only_an_erasure_request_erases(world: World) -> None:
    alice = _person(world, 1)
    access = world.desk.open(
        actor=DPO, customer_id=alice, kind=RequestKind.ACCESS, verification="in person"
    )
    with pytest.raises(ConflictError, match="not erasure"):
        world.eraser.erase(actor=DPO, request_id=access.id)
    with pytest.raises(NotFoundError):
        world.eraser.erase(actor=DPO, request_id="no-such-request")
    with world.factory() as uow:
        assert uow.subject_keys.get_many([alice])


def test_a_request_is_checked_against_the_customer_it_is_used_for(world: World) -> None:
    alice, bob = _person(world, 1), _person(world, 2)
    request = world.desk.open(actor=DPO, customer_id=alice, kind=RequestKind.ACCESS)
    assert world.desk.get(actor=DPO, request_id=request.id, customer_id=alice) == request
    with pytest.raises(ConflictError, match="another customer"):
        world.desk.get(actor=DPO, request_id=request.id, customer_id=bob)
    with pytest.raises(NotFoundError, match="no customer with id"):
        world.desk.get(actor=DPO, request_id=request.id, customer_id=CustomerId("0-unknown"))


def test_staff_need_privacy_manage_for_a_dry_run_and_customers_erase_for_a_real_one(
    world: World,
) -> None:
    old = _person(world, 1, days_ago=500)
    _person(world, 2)
    rules = retention_rules(event_months=13, order_months=120)
    with pytest.raises(PermissionDeniedError):
        world.retention.run_for_staff(actor=SUPPORT, rules=rules, dry_run=True)
    compliance = Actor(
        PrincipalKind.STAFF, "dana", role="dpo", scopes=frozenset({"privacy.manage"})
    )
    dry = world.retention.run_for_staff(actor=compliance, rules=rules, dry_run=True)
    assert [(c.rule.records, c.due, c.deleted) for c in dry] == [("events", 1, 0), ("orders", 0, 0)]
    with pytest.raises(PermissionDeniedError):
        world.retention.run_for_staff(actor=compliance, rules=rules, dry_run=False)

    done = world.retention.run_for_staff(actor=DPO, rules=rules, dry_run=False)

    assert [(c.rule.records, c.deleted) for c in done] == [("events", 1), ("orders", 0)]
    with world.factory() as uow:
        assert uow.events.count_for_customer(old) == 1  # the identify call, sent now
        runs = [e.draft for e in uow.audit.scan() if e.draft.action is AuditAction.RETENTION_RUN]
    assert [(d.actor, d.purpose, d.detail["dry_run"]) for d in runs] == [
        ("staff:dana", "dsar", 1),
        ("staff:dana", "dsar", 0),
    ]
