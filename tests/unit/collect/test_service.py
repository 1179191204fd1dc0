"""Ingest end to end on the fakes: identity, protection, dedupe, orders, consent and audit."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest
from tests.worlds import FixedClock, fresh_keyring, issued_staff, send_batch, web_source

from strongroom.access.profiles import ProfileReader
from strongroom.adapters.memory import MemoryUnitOfWorkFactory
from strongroom.audit.service import AuditLog, verify_audit_log
from strongroom.collect.service import Ingestor, IngestResult
from strongroom.core.errors import InvalidInputError, NotFoundError, PermissionDeniedError
from strongroom.core.models import Actor, CustomerId, PrincipalKind, Source
from strongroom.core.trail import AuditAction
from strongroom.vault.service import SubjectVault


@dataclass
class Services:
    uow_factory: MemoryUnitOfWorkFactory
    vault: SubjectVault
    audit: AuditLog
    ingestor: Ingestor
    profiles: ProfileReader
    source: Source
    clock: FixedClock
    train: Callable[..., None]
    trained: set[str] = field(default_factory=set)

    def staff(self, role: str) -> Actor:
        actor = issued_staff(self.uow_factory, self.audit, self.clock, role)
        if actor.name not in self.trained:  # PII reads need the person's training
            self.train(self.uow_factory, actor)
            self.trained.add(actor.name)
        return actor


@pytest.fixture
def services(train_staff: Callable[..., None]) -> Services:
    clock = FixedClock(datetime(2026, 11, 29, 12, 0, tzinfo=UTC))
    vault = SubjectVault(fresh_keyring(clock.now()))
    factory = MemoryUnitOfWorkFactory()
    audit = AuditLog(clock)
    source = web_source(factory, audit, clock)
    return Services(
        uow_factory=factory,
        vault=vault,
        audit=audit,
        ingestor=Ingestor(uow_factory=factory, vault=vault, audit=audit, clock=clock),
        profiles=ProfileReader(uow_factory=factory, vault=vault, audit=audit),
        source=source,
        clock=clock,
        train=train_staff,
    )


def _send(services: Services, *messages: dict[str, Any]) -> IngestResult:
    return send_batch(services.ingestor, services.source, *messages)


def _identify(user: str, email: str, **traits: Any) -> dict[str, Any]:
    return {
        "type": "identify",
        "userId": user,
        "messageId": f"id-{user}-{email}",
        "traits": {"email": email, **traits},
    }


def _only_customer(services: Services, email: str) -> CustomerId:
    views = services.profiles.find_customers(
        actor=services.staff("dpo"), field="email", value=email
    )
    assert len(views) == 1
    return views[0].id


def test_identify_stores_pii_encrypted_and_demographics_plain(services: Services) -> None:
    _send(services, _identify("u1", "Ann@Example.com", firstName="Ann", age=34, plan="gold"))
    with services.uow_factory() as uow:
        (stored,) = uow.customers.get_many([_only_customer(services, "ann@example.com")]).values()
    assert stored.demographics == {"age": 34}
    assert set(stored.encrypted) == {"email", "first_name", "extra_traits"}
    assert all(b"Ann" not in ciphertext for ciphertext in stored.encrypted.values())


def test_anonymous_history_joins_the_profile_on_identify(services: Services) -> None:
    _send(services, {"type": "page", "anonymousId": "a-1", "name": "Home", "messageId": "p1"})
    result = _send(services, {**_identify("u1", "b@example.com"), "anonymousId": "a-1"})
    assert result.customers_created == 0
    view = services.profiles.find_customers(
        actor=services.staff("dpo"), field="email", value="b@example.com"
    )[0]
    assert view.event_count == 2
    assert dict(view.identifiers) == {"anonymous_id": "a-1", "user_id": "u1"}


def test_a_retried_batch_is_stored_once(services: Services) -> None:
    batch = [
        _identify("u1", "c@example.com"),
        {"type": "track", "userId": "u1", "event": "X", "messageId": "t1"},
    ]
    first, again = _send(services, *batch), _send(services, *batch)
    assert (first.stored, again.stored, again.duplicates) == (2, 0, 2)
    view = services.profiles.read_customer(
        actor=services.staff("support"), customer_id=_only_customer(services, "c@example.com")
    )
    assert view.event_count == 2


def test_an_order_completed_call_records_one_order(services: Services) -> None:
    order = {
        "type": "track",
        "userId": "u1",
        "event": "Order Completed",
        "messageId": "o1",
        "properties": {"order_id": "A-1", "total": 25, "products": [{"sku": "S", "price": 25}]},
    }
    _send(services, _identify("u1", "d@example.com"), order)
    _send(services, {**order, "messageId": "o2"})  # the same order sent again under a new message
    view = services.profiles.read_customer(
        actor=services.staff("support"), customer_id=_only_customer(services, "d@example.com")
    )
    assert (view.order_count, str(view.order_total)) == (1, "25.00")


def test_consent_is_read_from_the_tracking_context(services: Services) -> None:
    consent = {"consent": {"categoryPreferences": {"marketing": False, "analytics": True}}}
    _send(services, {**_identify("u1", "e@example.com"), "context": consent})
    view = services.profiles.find_customers(
        actor=services.staff("support"), field="email", value="e@example.com"
    )[0]
    assert view.consents == {"marketing": False, "analytics": True}


def test_a_batch_with_a_bad_order_stores_nothing(services: Services) -> None:
    bad = {"type": "track", "userId": "u9", "event": "Order Completed", "properties": {}}
    with pytest.raises(InvalidInputError, match=r"batch\[1\]"):
        _send(services, _identify("u9", "f@example.com"), bad)
    assert (
        services.profiles.find_customers(
            actor=services.staff("dpo"), field="email", value="f@example.com"
        )
        == []
    )


def test_support_sees_pii_masked_and_dpo_in_full(services: Services) -> None:
    _send(services, _identify("u1", "jane@example.com", firstName="Jane", gender="female"))
    customer = _only_customer(services, "jane@example.com")
    masked = services.profiles.read_customer(actor=services.staff("support"), customer_id=customer)
    full = services.profiles.read_customer(actor=services.staff("dpo"), customer_id=customer)
    assert masked.traits == {"email": "j***@example.com", "first_name": "J***", "gender": "female"}
    assert masked.masked_fields == ("email", "first_name")
    assert full.traits["email"] == "jane@example.com"
    assert full.masked_fields == ()


def test_a_dpo_built_in_code_without_a_principal_id_or_training_sees_pii_masked(
    services: Services,
) -> None:
    _send(services, _identify("u1", "jo@example.com", firstName="Jo"))
    customer = _only_customer(services, "jo@example.com")
    ghost = Actor(PrincipalKind.STAFF, "ghost", role="dpo")  # no principal id, no such person
    view = services.profiles.read_customer(actor=ghost, customer_id=customer)
    assert view.traits["email"] == "j***@example.com"
    assert view.masked_fields == ("email", "first_name")
    services.train(services.uow_factory, ghost)  # trained, the same hand-built actor reads in full
    assert services.profiles.read_customer(actor=ghost, customer_id=customer).masked_fields == ()


def test_a_role_without_customer_access_is_denied_and_audited(services: Services) -> None:
    _send(services, _identify("u1", "g@example.com"))
    with pytest.raises(PermissionDeniedError):
        services.profiles.read_customer(
            actor=services.staff("admin"), customer_id=_only_customer(services, "g@example.com")
        )
    with services.uow_factory() as uow:
        actions = [entry.draft.action for entry in uow.audit.scan()]
    assert actions[-1] is AuditAction.ACCESS_DENIED


def test_an_unknown_customer_is_not_found(services: Services) -> None:
    with pytest.raises(NotFoundError):
        services.profiles.read_customer(
            actor=services.staff("support"), customer_id=CustomerId("x")
        )


def test_every_ingest_and_read_lands_in_a_verifiable_audit_log(services: Services) -> None:
    _send(services, _identify("u1", "h@example.com"))
    customer = _only_customer(services, "h@example.com")
    services.profiles.read_customer(actor=services.staff("support"), customer_id=customer)
    with services.uow_factory() as uow:
        entries = list(uow.audit.scan())
    actions = [entry.draft.action for entry in entries]
    assert AuditAction.INGEST_BATCH in actions
    read = next(e for e in entries if e.draft.action is AuditAction.CUSTOMER_READ)
    assert read.draft.resource_ids == (customer,)
    assert read.draft.purpose == "support"
    assert "pii" in read.draft.data_classes
    assert verify_audit_log(uow_factory=services.uow_factory).entries_checked == len(entries)
