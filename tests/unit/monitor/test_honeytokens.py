"""Honeytokens, on the fakes: planted through the real ingest path, read, and alarmed at once."""

from __future__ import annotations

import os
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from strongroom.access.cards import CardDetokenizer
from strongroom.access.profiles import ProfileReader
from strongroom.adapters.memory import MemoryUnitOfWorkFactory
from strongroom.audit.service import AuditLog
from strongroom.collect.internal import INTERNAL_SOURCE, InternalFeed
from strongroom.collect.service import Ingestor
from strongroom.core.errors import InvalidInputError
from strongroom.core.models import Actor, CustomerId, PrincipalKind
from strongroom.core.monitoring import AlertStatus, Honeytoken, Severity
from strongroom.core.trail import AuditAction
from strongroom.monitor.alerts import AlertService
from strongroom.monitor.canaries import luhn_card_number, make_canaries
from strongroom.monitor.detectors import default_detectors
from strongroom.monitor.detectors.security import HoneytokenAccessDetector
from strongroom.monitor.honeytokens import HoneytokenAlarm, plant_honeytokens
from strongroom.monitor.service import scan_audit_log
from strongroom.vault.cards import card_brand, luhn_valid
from strongroom.vault.keyring import Keyring
from strongroom.vault.rootkey import LocalRootKey
from strongroom.vault.service import SubjectVault
from strongroom.vault.tokenization import CardVault

NOW = datetime(2026, 11, 29, 12, tzinfo=UTC)
OPERATOR = Actor(PrincipalKind.LOCAL, "ops", role="admin")
DPO = Actor(PrincipalKind.STAFF, "dana", role="dpo", principal_id="p-dana")
PAYMENTS = Actor(PrincipalKind.STAFF, "pat", role="payments", principal_id="p-pat")


class Clock:
    def now(self) -> datetime:
        return NOW


@dataclass
class World:
    factory: MemoryUnitOfWorkFactory
    vault: SubjectVault
    feed: InternalFeed
    audit: AuditLog
    alerts: AlertService
    alarm: HoneytokenAlarm
    profiles: ProfileReader
    cards: CardDetokenizer

    def plant(self, count: int = 2) -> list[Honeytoken]:
        planted = plant_honeytokens(
            uow_factory=self.factory,
            vault=self.vault,
            feed=self.feed,
            audit=self.audit,
            clock=Clock(),
            actor=OPERATOR,
            count=count,
            seed=7,
        )
        self.alarm.refresh()
        return planted


@pytest.fixture
def world() -> Iterator[World]:
    root = LocalRootKey(os.urandom(32))
    keyring = Keyring.open(root, Keyring.create_initial(root, now=NOW))
    factory, audit, clock = MemoryUnitOfWorkFactory(), AuditLog(Clock()), Clock()
    vault, card_vault = SubjectVault(keyring), CardVault(keyring)
    ingestor = Ingestor(
        uow_factory=factory, vault=vault, audit=audit, clock=clock, cards=card_vault
    )
    feed = InternalFeed(ingestor=ingestor, uow_factory=factory, audit=audit, clock=clock)
    alerts = AlertService(uow_factory=factory, audit=audit, clock=clock)
    alarm = HoneytokenAlarm(
        uow_factory=factory, alerts=alerts, detector=HoneytokenAccessDetector(), clock=clock
    )
    profiles = ProfileReader(uow_factory=factory, vault=vault, audit=audit, watch=alarm)
    cards = CardDetokenizer(uow_factory=factory, cards=card_vault, audit=audit, watch=alarm)
    built = World(factory, vault, feed, audit, alerts, alarm, profiles, cards)
    yield built
    alarm.close()


def test_canary_cards_pass_the_luhn_check_and_have_a_real_brand() -> None:
    rng = random.Random(1)
    numbers = [luhn_card_number(rng) for _ in range(200)]
    assert all(luhn_valid(n) for n in numbers)
    assert {card_brand(n) for n in numbers} <= {"visa", "mastercard"}


def test_canaries_look_like_customers_with_working_looking_emails() -> None:
    canaries = make_canaries(5, now=NOW, seed=3)
    for canary in canaries:
        identify, order = canary.calls
        local, _, domain = canary.email.partition("@")
        assert "." in domain
        assert local
        assert " " not in canary.email
        traits = identify["traits"]
        assert isinstance(traits, dict)
        assert traits["email"] == canary.email
        assert identify["userId"] == order["userId"] == canary.user_id
    assert len({c.email for c in canaries}) == 5


def test_planting_ingests_canaries_and_records_them_with_their_card_tokens(world) -> None:
    planted = world.plant(3)
    store = world.factory.store
    assert len(planted) == 3
    assert {h.customer_id for h in planted} <= set(store.customers)
    assert all(h.card_token and h.card_token in store.cards for h in planted)
    assert {h.customer_id for h in store.honeytokens.values()} == {h.customer_id for h in planted}
    emails = [c.email.encode() for c in make_canaries(3, now=NOW, seed=7)]
    stored = [value for c in store.customers.values() for value in c.encrypted.values()]
    assert not any(email in value for email in emails for value in stored)  # encrypted
    [source] = store.sources.values()
    assert source.name == INTERNAL_SOURCE
    actions = [e.draft.action for e in store.audit_entries.values()]
    assert actions == [
        AuditAction.SOURCE_CREATED,
        AuditAction.INGEST_BATCH,
        AuditAction.HONEYTOKENS_PLANTED,
    ]
    planted_entry = store.audit_entries[3].draft
    assert planted_entry.resource_ids == ()
    assert planted_entry.detail == {"count": 3}


def test_planting_refuses_silly_counts(world) -> None:
    with pytest.raises(InvalidInputError, match="1 to 100"):
        world.plant(0)


def test_reading_a_canary_raises_a_critical_alert_at_once(world) -> None:
    [canary, _] = world.plant()
    world.profiles.read_customer(actor=DPO, customer_id=canary.customer_id)
    world.alarm.flush()
    [alert] = world.alerts.list_alerts()
    assert (alert.detector, alert.severity, alert.principal) == (
        "honeytoken_access",
        Severity.CRITICAL,
        "staff:dana",
    )
    assert alert.signal == f"honeytoken:{canary.customer_id}"
    assert alert.last_seq == max(world.factory.store.audit_entries)


def test_revealing_a_canary_card_raises_a_critical_alert_at_once(world, train_staff) -> None:
    [canary, _] = world.plant()
    train_staff(world.factory, PAYMENTS)
    assert canary.card_token is not None
    world.cards.detokenize(actor=PAYMENTS, token=canary.card_token, purpose="payment")
    world.alarm.flush()
    [alert] = world.alerts.list_alerts()
    assert alert.signal == f"honeytoken:{canary.card_token}"
    assert alert.explanation["details"] == {"kind": "card", "purpose": "payment"}


def test_reading_a_real_customer_raises_nothing(world) -> None:
    world.plant()
    world.feed.ingest_calls([{"type": "identify", "userId": "real-1", "traits": {"age": 30}}])
    real = next(
        cid for cid in world.factory.store.customers if cid not in world.factory.store.honeytokens
    )
    world.profiles.read_customer(actor=DPO, customer_id=CustomerId(real))
    world.alarm.flush()
    assert world.alerts.list_alerts() == []


def test_the_scan_finds_the_same_read_and_merges_into_the_live_alert(world) -> None:
    [canary, other] = world.plant()
    world.profiles.read_customer(actor=DPO, customer_id=canary.customer_id)
    world.alarm.flush()
    report = scan_audit_log(
        uow_factory=world.factory,
        detectors=default_detectors(),
        alerts=world.alerts,
        audit=world.audit,
        actor=OPERATOR,
    )
    honey = [f for f in report.findings if f.detector == "honeytoken_access"]
    assert [f.signal for f in honey] == [f"honeytoken:{canary.customer_id}"]
    assert (report.alerts.new, report.alerts.unchanged) == ((), 1)
    [alert] = world.alerts.list_alerts(status=AlertStatus.OPEN)
    assert alert.count == 1
    assert other.customer_id not in alert.summary
    last = world.factory.store.audit_entries[max(world.factory.store.audit_entries)].draft
    assert last.action is AuditAction.MONITOR_SCANNED
