"""Erasure by crypto-shredding on the fakes: policy, shredding, receipt, ledger, audit."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest
from tests.worlds import FixedClock, fresh_keyring, issued_staff, send_batch, web_source

from strongroom.access.erasure import ErasureService
from strongroom.access.profiles import ProfileReader
from strongroom.adapters.memory import MemoryUnitOfWorkFactory
from strongroom.adapters.memory.store import MemoryStore
from strongroom.audit.service import AuditLog, verify_audit_log
from strongroom.collect.service import Ingestor
from strongroom.core.errors import (
    ConflictError,
    CustomerErasedError,
    DecryptionError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
)
from strongroom.core.models import Actor, CustomerId, Source
from strongroom.core.trail import AuditAction, Outcome
from strongroom.vault.envelope import decrypt_field
from strongroom.vault.keyring import KeyKind, Keyring
from strongroom.vault.pseudonyms import Pseudonymizer
from strongroom.vault.receipts import check_receipt, parse_receipt
from strongroom.vault.service import SubjectVault

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


@dataclass
class MemoryLedger:
    """A fake ErasureLedger; ``broken`` makes every append fail like a full disk."""

    lines: list[str] = field(default_factory=list)
    broken: bool = False

    @property
    def location(self) -> str:
        return "memory"

    def append(self, receipt: str) -> None:
        if self.broken:
            raise OSError("no space left on device")
        self.lines.append(receipt)

    def append_many(self, receipts: Sequence[str]) -> None:
        for receipt in receipts:
            self.append(receipt)

    def receipts(self) -> list[tuple[int, str]]:
        return list(enumerate(self.lines, start=1))


@dataclass
class World:
    factory: MemoryUnitOfWorkFactory
    keyring: Keyring
    audit: AuditLog
    ingestor: Ingestor
    profiles: ProfileReader
    erasure: ErasureService
    ledger: MemoryLedger
    source: Source
    train: Callable[..., None]
    trained: set[str] = field(default_factory=set)

    def staff(self, role: str) -> Actor:
        actor = issued_staff(self.factory, self.audit, FixedClock(NOW), role)
        if actor.name not in self.trained:  # PII acts need the person's training
            self.train(self.factory, actor)
            self.trained.add(actor.name)
        return actor

    def send(self, *messages: dict[str, Any]) -> None:
        send_batch(self.ingestor, self.source, *messages)

    def customer(self, email: str) -> CustomerId:
        views = self.profiles.find_customers(actor=self.staff("dpo"), field="email", value=email)
        assert len(views) == 1
        return views[0].id

    def snapshot(self) -> MemoryStore:
        return self.factory.store


@pytest.fixture
def world(train_staff: Callable[..., None]) -> World:
    clock = FixedClock(NOW)
    keyring = fresh_keyring(NOW)
    vault = SubjectVault(keyring)
    factory = MemoryUnitOfWorkFactory()
    audit = AuditLog(clock)
    ledger = MemoryLedger()
    source = web_source(factory, audit, clock)
    return World(
        factory=factory,
        keyring=keyring,
        audit=audit,
        ingestor=Ingestor(uow_factory=factory, vault=vault, audit=audit, clock=clock),
        profiles=ProfileReader(uow_factory=factory, vault=vault, audit=audit),
        erasure=ErasureService(
            uow_factory=factory, keys=keyring, audit=audit, ledger=ledger, clock=clock
        ),
        ledger=ledger,
        source=source,
        train=train_staff,
    )


def _ann(world: World) -> CustomerId:
    world.send(
        {
            "type": "identify",
            "userId": "u-ann",
            "anonymousId": "a-ann",
            "messageId": "m1",
            "traits": {"email": "ann@example.com", "firstName": "Ann", "age": 41, "pet": "cat"},
        },
        {
            "type": "track",
            "userId": "u-ann",
            "event": "Order Completed",
            "messageId": "m2",
            "properties": {"order_id": "A-1", "total": 30, "products": [{"sku": "S", "price": 30}]},
        },
    )
    return world.customer("ann@example.com")


def _erase(world: World, customer: CustomerId, role: str = "dpo") -> Any:
    return world.erasure.erase_customer(
        actor=world.staff(role), customer_id=customer, reason="DSAR 2026-117"
    )


def test_the_dpo_erases_a_customer_and_gets_a_receipt_signed_by_this_home(world: World) -> None:
    customer = _ann(world)
    receipt = _erase(world, customer)
    assert receipt.customer_pseudonym == Pseudonymizer(world.keyring).pseudonym(customer)
    assert receipt.actor == "staff:someone-dpo"
    assert receipt.reason == "DSAR 2026-117"
    assert receipt.erased_at == NOW
    assert receipt.key_versions_destroyed == {"subject_key": 1, "wrapped_by_field_kek": 1}
    check = check_receipt(receipt, trusted_keys=world.erasure.home_signing_keys())
    assert (check.signature_valid, check.home_key_matches) == (True, True)


def test_erasure_destroys_the_key_and_lookups_and_keeps_ciphertext_events_and_orders(
    world: World,
) -> None:
    customer = _ann(world)
    before = world.snapshot()
    _erase(world, customer)
    after = world.snapshot()
    assert customer not in after.subject_keys
    assert [i for i in after.identifiers.values() if i.customer_id == customer] == []
    assert [k for k in after.blind_indexes if k[0] == customer] == []
    assert after.customers[customer] == before.customers[customer]  # ciphertext kept as it was
    assert after.events == before.events
    assert after.orders == before.orders


def test_no_key_left_in_the_store_decrypts_the_erased_customers_ciphertext(world: World) -> None:
    customer = _ann(world)
    _erase(world, customer)
    store = world.snapshot()
    vault = SubjectVault(world.keyring)
    every_key = [vault.open_subject_key(key) for key in store.subject_keys.values()]
    every_key += [
        world.keyring.key(kind, v) for kind in KeyKind for v in world.keyring.versions(kind)
    ]
    ciphertexts = store.customers[customer].encrypted
    assert set(ciphertexts) == {"email", "first_name", "extra_traits"}
    for name, ciphertext in ciphertexts.items():
        for key in every_key:
            with pytest.raises(DecryptionError):
                decrypt_field(key, ciphertext, record_id=customer, field=name)


def test_reading_an_erased_customer_says_they_were_erased(world: World) -> None:
    customer = _ann(world)
    _erase(world, customer)
    with pytest.raises(CustomerErasedError, match="was erased"):
        world.profiles.read_customer(actor=world.staff("dpo"), customer_id=customer)


def test_an_erased_customers_email_and_user_id_find_and_link_no_one(world: World) -> None:
    customer = _ann(world)
    _erase(world, customer)
    dpo = world.staff("dpo")
    assert world.profiles.find_customers(actor=dpo, field="email", value="ann@example.com") == []
    world.send({"type": "identify", "userId": "u-ann", "messageId": "m3", "traits": {"age": 42}})
    with world.factory() as uow:
        owners = {i.customer_id for i in uow.identifiers.for_customer(customer)}
        assert owners == set()
        assert uow.customers.count() == 2  # the returning user id made a new customer


def test_the_erasure_is_recorded_ledgered_and_audited_without_the_reason(world: World) -> None:
    customer = _ann(world)
    receipt = _erase(world, customer)
    assert world.ledger.lines == [receipt.to_json()]
    with world.factory() as uow:
        (record,) = uow.erasures.find([receipt.customer_pseudonym])
        entry = list(uow.audit.scan())[-1]
    assert parse_receipt(record.receipt) == receipt
    assert (record.actor, record.erased_at, record.key_versions) == (
        "staff:someone-dpo",
        NOW,
        receipt.key_versions_destroyed,
    )
    assert entry.draft.action is AuditAction.CUSTOMER_ERASED
    assert entry.draft.resource_ids == (customer,)
    assert entry.draft.purpose == "dsar"
    assert entry.draft.detail["pseudonym"] == receipt.customer_pseudonym
    assert "DSAR" not in json.dumps(entry.draft.detail)
    assert verify_audit_log(uow_factory=world.factory).entries_checked == entry.seq


def test_erasing_an_unknown_customer_is_not_found_and_changes_nothing(world: World) -> None:
    dpo = world.staff("dpo")
    before = world.snapshot()
    with pytest.raises(NotFoundError, match="no customer"):
        world.erasure.erase_customer(actor=dpo, customer_id=CustomerId("nobody"), reason="x")
    assert world.snapshot() == before
    assert world.ledger.lines == []


def test_erasing_a_customer_twice_is_a_conflict_and_changes_nothing(world: World) -> None:
    customer = _ann(world)
    _erase(world, customer)
    before = world.snapshot()
    with pytest.raises(ConflictError, match="erased already"):
        _erase(world, customer)
    assert world.snapshot().erasures == before.erasures
    assert len(world.ledger.lines) == 1


@pytest.mark.parametrize("role", ["support", "admin", "auditor"])
def test_a_role_without_customers_erase_is_refused_and_audited(world: World, role: str) -> None:
    customer = _ann(world)
    with pytest.raises(PermissionDeniedError, match=r"customers\.erase"):
        _erase(world, customer, role=role)
    with world.factory() as uow:
        entry = list(uow.audit.scan())[-1]
        assert uow.subject_keys.get_many([customer])
    assert (entry.draft.action, entry.draft.outcome) == (AuditAction.ACCESS_DENIED, Outcome.DENIED)
    assert world.ledger.lines == []


def test_a_ledger_that_cannot_be_written_stops_the_erasure(world: World) -> None:
    customer = _ann(world)
    world.ledger.broken = True
    with pytest.raises(OSError, match="no space"):
        _erase(world, customer)
    with world.factory() as uow:
        assert uow.subject_keys.get_many([customer])
        assert uow.erasures.find([Pseudonymizer(world.keyring).pseudonym(customer)]) == []


@pytest.mark.parametrize(
    ("reason", "problem"),
    [
        ("", "needs a reason"),
        ("   ", "needs a reason"),
        ("x" * 501, "keep it to 500"),
        ("a\nb", "one line"),
    ],
)
def test_a_missing_or_unfit_reason_is_refused(world: World, reason: str, problem: str) -> None:
    customer = _ann(world)
    with pytest.raises(InvalidInputError, match=problem):
        world.erasure.erase_customer(actor=world.staff("dpo"), customer_id=customer, reason=reason)
