"""Data-subject rights on each store: the consent ledger, requests with due dates, the export of
everything held on a person, legal holds and retention."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from tests.worlds import fresh_keyring, send_batch, web_source

from strongroom.access.consent import consent_allows
from strongroom.access.erasure import ErasureService
from strongroom.access.profiles import ProfileReader
from strongroom.adapters.ledger import FileErasureLedger
from strongroom.audit.service import AuditLog, verify_audit_log
from strongroom.collect.service import Ingestor
from strongroom.core.errors import (
    ConflictError,
    CustomerErasedError,
    InvalidInputError,
    LegalHoldError,
    NotFoundError,
    PermissionDeniedError,
)
from strongroom.core.incidents import ExportFreeze
from strongroom.core.models import Actor, CustomerId, PrincipalKind, Source
from strongroom.core.ports import UnitOfWorkFactory
from strongroom.core.privacy import RequestKind, RequestStatus
from strongroom.core.trail import AuditAction
from strongroom.privacy.consent import ConsentLedger
from strongroom.privacy.export import SubjectExporter
from strongroom.privacy.holds import LegalHolds
from strongroom.privacy.rectification import Rectifier
from strongroom.privacy.requests import RequestDesk
from strongroom.privacy.retention import RetentionRunner, retention_rules
from strongroom.vault.service import SubjectVault

OPERATOR = Actor(PrincipalKind.LOCAL, "ops", role="admin")
DPO = Actor(PrincipalKind.STAFF, "dana", role="dpo")
SUPPORT = Actor(PrincipalKind.STAFF, "sam", role="support")
START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.moment = START

    def now(self) -> datetime:
        return self.moment


@dataclass
class World:
    factory: UnitOfWorkFactory
    clock: Clock
    audit: AuditLog
    ingestor: Ingestor
    source: Source
    consents: ConsentLedger
    desk: RequestDesk
    holds: LegalHolds
    exporter: SubjectExporter
    erasure: ErasureService
    profiles: ProfileReader
    rectifier: Rectifier


@pytest.fixture
def world(
    uow_factory: UnitOfWorkFactory, tmp_path: Path, train_staff: Callable[..., None]
) -> World:
    clock = Clock()
    train_staff(uow_factory, DPO)  # privacy acts and unmasked reads need the DPO's training
    keyring = fresh_keyring(START)
    vault = SubjectVault(keyring)
    audit = AuditLog(clock)
    source = web_source(uow_factory, audit, clock, OPERATOR)
    ledger = FileErasureLedger(tmp_path / "erasures.jsonl")
    return World(
        factory=uow_factory,
        clock=clock,
        audit=audit,
        ingestor=Ingestor(uow_factory=uow_factory, vault=vault, audit=audit, clock=clock),
        source=source,
        consents=ConsentLedger(uow_factory, audit, clock),
        desk=RequestDesk(uow_factory, audit, clock),
        holds=LegalHolds(uow_factory, audit, clock),
        exporter=SubjectExporter(uow_factory, uow_factory, vault, audit, clock),
        erasure=ErasureService(uow_factory, keyring, audit, ledger, clock),
        profiles=ProfileReader(uow_factory=uow_factory, vault=vault, audit=audit),
        rectifier=Rectifier(uow_factory, vault, audit, clock),
    )


def _send(world: World, *messages: dict[str, Any]) -> None:
    send_batch(world.ingestor, world.source, *messages)


def _person(world: World, n: int, *, days_ago: int = 0) -> CustomerId:
    when = (START - timedelta(days=days_ago)).isoformat()
    _send(
        world,
        {
            "type": "identify",
            "userId": f"u-{n}",
            "messageId": f"id-{n}",
            "timestamp": when,
            "traits": {"email": f"ada{n}@example.org", "lastName": "Lovelace", "age": 36},
            "context": {"consent": {"categoryPreferences": {"marketing": True}}},
        },
        {
            "type": "track",
            "userId": f"u-{n}",
            "messageId": f"ev-{n}",
            "event": "Tea Viewed",
            "properties": {"sku": "earl-grey"},
            "timestamp": when,
        },
        {
            "type": "track",
            "userId": f"u-{n}",
            "messageId": f"or-{n}",
            "event": "Order Completed",
            "timestamp": when,
            "properties": {
                "order_id": f"A-{n}",
                "total": 7,
                "currency": "EUR",
                "products": [{"sku": "earl-grey", "quantity": 2, "price": 3.5}],
            },
        },
    )
    (found,) = world.profiles.find_customers(actor=DPO, field="email", value=f"ada{n}@example.org")
    return found.id


def test_the_consent_ledger_keeps_history_and_the_newest_decision_rules(world: World) -> None:
    alice = _person(world, 1)
    world.clock.moment += timedelta(hours=1)
    world.consents.record(
        actor=DPO, customer_id=alice, purpose="marketing", granted=False, wording_version="nl-v2"
    )
    history = world.consents.read_history(actor=DPO, customer_id=alice)
    assert [(c.purpose, c.granted, c.wording_version) for c in history] == [
        ("marketing", True, None),  # from the tracking call's consent preferences
        ("marketing", False, "nl-v2"),
    ]
    assert history[1].source_id == "staff:dana"
    with world.factory() as uow:
        assert not consent_allows(uow, alice, "marketing")
        assert not consent_allows(uow, alice, "analytics")  # never granted
        assert consent_allows(uow, alice, "support")  # needs no consent
    with pytest.raises(PermissionDeniedError):
        world.consents.record(
            actor=SUPPORT,
            customer_id=alice,
            purpose="marketing",
            granted=True,
            wording_version=None,
        )
    with pytest.raises(InvalidInputError, match="does not rest on consent"):
        world.consents.record(
            actor=DPO, customer_id=alice, purpose="support", granted=True, wording_version=None
        )


def test_an_access_request_is_answered_with_everything_held(world: World) -> None:
    alice = _person(world, 1)
    _person(world, 2)
    with pytest.raises(NotFoundError, match="no customer"):
        world.desk.open(actor=DPO, customer_id=CustomerId("nobody"), kind=RequestKind.ACCESS)
    request = world.desk.open(actor=DPO, customer_id=alice, kind=RequestKind.ACCESS)
    assert request.due_at == datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
    with pytest.raises(ConflictError, match="verified"):
        world.exporter.export(actor=DPO, request_id=request.id)
    world.desk.verify(actor=DPO, request_id=request.id, verification="reply from the email")
    export = world.exporter.export(actor=DPO, request_id=request.id)

    profile = {row["field"]: row["value"] for row in export.tables["profile"]}
    assert profile["email"] == "ada1@example.org"
    assert profile["last_name"] == "Lovelace"
    assert {"kind": "user_id", "value": "u-1"} in export.tables["identifiers"]
    assert {"Tea Viewed", "Order Completed"} <= {row["name"] for row in export.tables["events"]}
    assert export.tables["orders"][0]["total"] == "7.00"
    assert export.tables["order_lines"][0]["quantity"] == 2
    who = [(row["who"], row["action"]) for row in export.tables["access_log"]]
    assert ("staff:dana", "customer.search") in who  # the DPO's lookup, from the audit log
    assert all("ada2" not in json.dumps(row) for rows in export.tables.values() for row in rows)
    json.dumps(export.document, default=str)  # machine readable as a whole

    closed = world.desk.close(actor=DPO, request_id=request.id, completed=True, outcome="sent")
    assert closed.status is RequestStatus.COMPLETED
    with pytest.raises(ConflictError):
        world.exporter.export(actor=DPO, request_id=request.id)  # answered already
    exported = [e for e in _entries(world) if e.draft.action is AuditAction.DSAR_EXPORTED]
    assert exported[0].draft.resource_ids == (alice,)
    assert verify_audit_log(uow_factory=world.factory).entries_checked == len(_entries(world))


def test_a_legal_hold_stops_export_and_erasure_until_released(world: World) -> None:
    alice = _person(world, 1)
    request = world.desk.open(
        actor=DPO, customer_id=alice, kind=RequestKind.ACCESS, verification="in person, passport"
    )
    hold = world.holds.place(actor=DPO, customer_id=alice, reason="litigation case 17")
    with pytest.raises(LegalHoldError):
        world.exporter.export(actor=DPO, request_id=request.id)
    with pytest.raises(LegalHoldError):
        world.erasure.erase_customer(actor=DPO, customer_id=alice, reason="request 1")
    world.holds.release(actor=DPO, hold_id=hold.id)
    assert world.exporter.export(actor=DPO, request_id=request.id).tables["profile"]


def test_an_erasure_request_closes_only_once_the_customer_is_erased(world: World) -> None:
    alice = _person(world, 1)
    request = world.desk.open(
        actor=DPO, customer_id=alice, kind=RequestKind.ERASURE, verification="email reply"
    )
    with pytest.raises(ConflictError, match="not erased yet"):
        world.desk.close(actor=DPO, request_id=request.id, completed=True, outcome="erased")
    world.erasure.erase_customer(actor=DPO, customer_id=alice, reason=f"request {request.id}")
    closed = world.desk.close(actor=DPO, request_id=request.id, completed=True, outcome="erased")
    assert closed.closed_at == START
    access = world.desk.open(
        actor=DPO, customer_id=alice, kind=RequestKind.ACCESS, verification="email reply"
    )
    with pytest.raises(CustomerErasedError):
        world.exporter.export(actor=DPO, request_id=access.id)


def test_requests_past_their_due_date_are_overdue(world: World) -> None:
    alice = _person(world, 1)
    request = world.desk.open(
        actor=DPO,
        customer_id=alice,
        kind=RequestKind.RECTIFICATION,
        received_at=START - timedelta(days=40),
    )
    assert request.time_left(world.clock.now()) < 0
    with pytest.raises(InvalidInputError, match="future"):
        world.desk.open(
            actor=DPO,
            customer_id=alice,
            kind=RequestKind.ACCESS,
            received_at=START + timedelta(days=1),
        )
    with pytest.raises(PermissionDeniedError):
        world.desk.list(actor=SUPPORT, open_only=True)


def test_retention_deletes_what_is_past_its_period_except_held_customers(world: World) -> None:
    old = _person(world, 1, days_ago=500)
    held = _person(world, 2, days_ago=500)
    _person(world, 3, days_ago=10)
    world.holds.place(actor=DPO, customer_id=held, reason="case 9")
    runner = RetentionRunner(world.factory, world.audit, world.clock)
    rules = retention_rules(event_months=13, order_months=12)
    dry = runner.run(actor=OPERATOR, rules=rules, dry_run=True)
    # Each person has 3 events (identify, track, the order's track) and one order.
    assert [(c.rule.records, c.due, c.deleted) for c in dry] == [("events", 3, 0), ("orders", 1, 0)]
    done = runner.run(actor=OPERATOR, rules=rules, dry_run=False)
    assert [(c.rule.records, c.due, c.deleted) for c in done] == [
        ("events", 3, 3),
        ("orders", 1, 1),
    ]
    with world.factory() as uow:
        assert uow.events.count_for_customer(old) == 0
        assert uow.events.count_for_customer(held) == 3
        assert uow.orders.for_customer(old) == []
    runs = [e for e in _entries(world) if e.draft.action is AuditAction.RETENTION_RUN]
    assert [e.draft.detail["dry_run"] for e in runs] == [1, 0]


def _entries(world: World) -> list[Any]:
    with world.factory() as uow:
        return list(uow.audit.scan())


MARKETING = Actor(PrincipalKind.STAFF, "mia", role="marketing")


def test_a_purpose_that_needs_consent_reaches_only_customers_who_gave_it(world: World) -> None:
    consenting = _person(world, 1)  # the tracking call granted marketing
    world.clock.moment += timedelta(minutes=1)
    other = _person(world, 2)
    world.consents.record(
        actor=DPO, customer_id=other, purpose="marketing", granted=False, wording_version=None
    )
    seen = world.profiles.read_customer(actor=MARKETING, customer_id=consenting)
    assert seen.traits["email"] != "ada1@example.org"  # still masked: no pii.read
    with pytest.raises(PermissionDeniedError, match="consent"):
        world.profiles.read_customer(actor=MARKETING, customer_id=other)
    assert (
        world.profiles.find_customers(actor=MARKETING, field="email", value="ada2@example.org")
        == []
    )
    world.consents.record(
        actor=DPO, customer_id=other, purpose="marketing", granted=True, wording_version="v3"
    )
    assert world.profiles.read_customer(actor=MARKETING, customer_id=other).id == other


def test_a_verified_rectification_request_corrects_and_reindexes_a_field(world: World) -> None:
    alice = _person(world, 1)
    request = world.desk.open(actor=DPO, customer_id=alice, kind=RequestKind.RECTIFICATION)
    with pytest.raises(ConflictError, match="verified"):
        world.rectifier.rectify(
            actor=DPO, request_id=request.id, field="email", value="ada@lovelace.org"
        )
    world.desk.verify(actor=DPO, request_id=request.id, verification="signed letter")
    world.rectifier.rectify(
        actor=DPO, request_id=request.id, field="email", value="ada@lovelace.org"
    )
    world.rectifier.rectify(actor=DPO, request_id=request.id, field="age", value="37")
    (found,) = world.profiles.find_customers(actor=DPO, field="email", value="ada@lovelace.org")
    assert found.id == alice
    assert found.traits["age"] == 37
    assert world.profiles.find_customers(actor=DPO, field="email", value="ada1@example.org") == []
    with pytest.raises(InvalidInputError, match="unknown field"):
        world.rectifier.rectify(actor=DPO, request_id=request.id, field="role", value="admin")
    with pytest.raises(NotFoundError, match="no data-subject request"):
        world.rectifier.rectify(actor=DPO, request_id="no-such-request", field="age", value="1")
    access = world.desk.open(actor=DPO, customer_id=alice, kind=RequestKind.ACCESS)
    with pytest.raises(ConflictError, match="not rectification"):
        world.rectifier.rectify(actor=DPO, request_id=access.id, field="age", value="1")
    rectified = [e for e in _entries(world) if e.draft.action is AuditAction.CUSTOMER_RECTIFIED]
    assert [e.draft.detail["field"] for e in rectified] == ["email", "age"]
    assert "lovelace" not in repr([e.draft for e in rectified])


def test_many_customers_are_erased_in_batches_with_a_receipt_each(
    world: World, tmp_path: Path
) -> None:
    people = [_person(world, n) for n in range(1, 6)]
    world.erasure.erase_customer(actor=DPO, customer_id=people[0], reason="earlier request")
    world.holds.place(actor=DPO, customer_id=people[1], reason="case 5")
    ids = [*people, CustomerId("00000000-0000-4000-8000-0000000000ff"), people[2]]
    steps: list[tuple[int, int | None]] = []
    report = world.erasure.erase_customers(
        actor=DPO,
        customer_ids=ids,
        reason="retention of closed accounts",
        batch_size=2,
        progress=lambda _stage, done, total: steps.append((done, total)),
    )
    assert (report.erased, report.receipts, report.unknown) == (3, 3, 1)
    assert (report.already_erased, report.held) == (1, 1)
    assert steps[-1] == (6, 6)  # the repeated id counts once
    with world.factory() as uow:
        assert uow.subject_keys.get_many(people).keys() == {people[1]}
    ledger = (tmp_path / "erasures.jsonl").read_text().splitlines()
    assert len(ledger) == 1 + 3
    erased = [e for e in _entries(world) if e.draft.action is AuditAction.CUSTOMER_ERASED]
    assert {e.draft.resource_ids[0] for e in erased} == {people[0], *people[2:]}
    with pytest.raises(PermissionDeniedError):
        world.erasure.erase_customers(actor=SUPPORT, customer_ids=people, reason="x")


def test_erasing_many_also_erases_customers_merged_with_them(world: World) -> None:
    _send(world, {"type": "track", "anonymousId": "anon-7", "messageId": "a-1", "event": "Seen"})
    survivor = _person(world, 7)
    _send(
        world,
        {
            "type": "track",
            "userId": "u-7",
            "anonymousId": "anon-7",
            "messageId": "a-2",
            "event": "Linked",
        },
    )
    with world.factory() as uow:
        merged = [m.source_id for m in uow.merges.merged_into([survivor])]
    assert len(merged) == 1  # the anonymous customer was merged into the known one
    report = world.erasure.erase_customers(actor=DPO, customer_ids=[survivor], reason="request")
    assert (report.erased, report.receipts) == (1, 2)
    with world.factory() as uow:
        assert uow.subject_keys.get_many([survivor, *merged]) == {}


def test_no_subject_export_while_an_incident_has_frozen_exports(world: World) -> None:
    alice = _person(world, 1)
    request = world.desk.open(
        actor=DPO, customer_id=alice, kind=RequestKind.ACCESS, verification="email reply"
    )
    with world.factory() as uow:
        uow.incidents.freeze_exports(ExportFreeze("inc-1", "staff:sec", START))
        uow.commit()
    with pytest.raises(ConflictError, match="frozen by incident inc-1"):
        world.exporter.export(actor=DPO, request_id=request.id)
    with world.factory() as uow:
        uow.incidents.thaw_exports()
        uow.commit()
    assert world.exporter.export(actor=DPO, request_id=request.id).tables["profile"]
