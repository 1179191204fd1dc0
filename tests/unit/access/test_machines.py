"""Service keys, vendor keys and third-party apps on the fakes, with a clock the tests move."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from tests.worlds import OPERATOR, fresh_keyring, issued_staff, send_batch, web_source

from strongroom.access.machines.apps import TokenRequest
from strongroom.access.machines.keys import Presented
from strongroom.access.profiles import ProfileReader
from strongroom.adapters.memory import MemoryUnitOfWorkFactory
from strongroom.audit.service import AuditLog
from strongroom.bootstrap.machines import Machines, build_machines
from strongroom.collect.service import Ingestor
from strongroom.core.errors import (
    AuthenticationError,
    InvalidInputError,
    OAuthError,
    PermissionDeniedError,
)
from strongroom.core.machines import MachineKind
from strongroom.core.models import Actor, Consent, CustomerId, PrincipalKind
from strongroom.core.trail import AuditAction, Origin, Outcome
from strongroom.vault.service import SubjectVault

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
VENDOR_NET = Origin(ip="203.0.113.7")
ELSEWHERE = Origin(ip="198.51.100.9")


class MovableClock:
    def __init__(self) -> None:
        self.moment = T0

    def now(self) -> datetime:
        return self.moment


@dataclass
class World:
    factory: MemoryUnitOfWorkFactory
    clock: MovableClock
    machines: Machines
    profiles: ProfileReader
    ingestor: Ingestor
    audit: AuditLog
    source_id: str

    def staff(self, role: str) -> Actor:
        return issued_staff(self.factory, self.audit, self.clock, role)

    def customer(self, email: str, **traits: Any) -> CustomerId:
        message = {"type": "identify", "userId": email, "traits": {"email": email, **traits}}
        with self.factory() as uow:
            source = uow.sources.list()[0]
        send_batch(self.ingestor, source, message)
        views = self.profiles.find_customers(actor=self.staff("dpo"), field="email", value=email)
        return views[0].id

    def actions(self) -> list[tuple[AuditAction, Outcome, str]]:
        with self.factory() as uow:
            entries = list(uow.audit.scan())
        return [(e.draft.action, e.draft.outcome, e.draft.actor) for e in entries]


@pytest.fixture
def world() -> World:
    clock = MovableClock()
    vault = SubjectVault(fresh_keyring(T0))
    factory = MemoryUnitOfWorkFactory()
    audit = AuditLog(clock)
    source = web_source(factory, audit, clock)
    return World(
        factory=factory,
        clock=clock,
        machines=build_machines(uow_factory=factory, audit=audit, clock=clock, vault=vault),
        profiles=ProfileReader(uow_factory=factory, vault=vault, audit=audit),
        ingestor=Ingestor(uow_factory=factory, vault=vault, audit=audit, clock=clock),
        audit=audit,
        source_id=source.id,
    )


def _service_key(world: World, **changes: Any) -> str:
    arguments: dict[str, Any] = {
        "actor": OPERATOR,
        "name": "billing-sync",
        "role": "support",
        "scopes": ["customers.search"],
        "expires_at": T0 + timedelta(days=30),
    }
    return world.machines.keys.issue_service_key(**{**arguments, **changes}).secret


def test_a_service_key_acts_in_its_role_narrowed_to_its_scopes(world):
    ann = world.customer("ann@example.com")
    actor = world.machines.keys.service_actor(Presented(_service_key(world), VENDOR_NET))
    assert (actor.kind, actor.role, actor.scopes) == (
        PrincipalKind.SERVICE, "support", frozenset({"customers.search"}),
    )  # fmt: skip
    assert world.profiles.find_customers(actor=actor, field="email", value="ann@example.com")
    with pytest.raises(PermissionDeniedError, match=r"scopes do not include customers\.read"):
        world.profiles.read_customer(actor=actor, customer_id=ann)
    assert (AuditAction.ACCESS_DENIED, Outcome.DENIED, "service:billing-sync") in world.actions()


def test_a_service_key_expires_is_revocable_and_keeps_to_its_networks(world):
    secret = _service_key(world, networks=["203.0.113.0/24"])
    keys = world.machines.keys
    keys.service_actor(Presented(secret, VENDOR_NET))
    with pytest.raises(AuthenticationError, match="network address"):
        keys.service_actor(Presented(secret, ELSEWHERE))
    world.clock.moment = T0 + timedelta(days=30)
    with pytest.raises(AuthenticationError, match="expired"):
        keys.service_actor(Presented(secret, VENDOR_NET))
    world.clock.moment = T0
    key_id = keys.list(actor=OPERATOR, kind=MachineKind.SERVICE)[0].id
    keys.revoke(actor=OPERATOR, key_id=key_id, kind=MachineKind.SERVICE)
    with pytest.raises(AuthenticationError, match="revoked"):
        keys.service_actor(Presented(secret, VENDOR_NET))
    refusals = [a for a in world.actions() if a[0] is AuditAction.AUTH_FAILED]
    assert len(refusals) == 3
    assert all(actor == "service:billing-sync" for _, _, actor in refusals)


def test_a_key_bound_to_a_certificate_needs_that_certificate(world):
    fingerprint = "ab" * 32
    secret = _service_key(world, cert_fingerprint=fingerprint)
    keys = world.machines.keys
    with pytest.raises(AuthenticationError, match="client certificate"):
        keys.service_actor(Presented(secret, VENDOR_NET))
    with pytest.raises(AuthenticationError, match="client certificate"):
        keys.service_actor(Presented(secret, VENDOR_NET, "cd" * 32))
    assert keys.service_actor(Presented(secret, VENDOR_NET, fingerprint)).name == "billing-sync"


@pytest.mark.parametrize(
    "secret", [None, "", "srv_", "srv_" + "x" * 300, "srt_abc", "srx_abc", "srv_\x00'; --"]
)
def test_malformed_or_unknown_service_keys_are_refused_and_audited(world, secret):
    with pytest.raises(AuthenticationError, match="service key"):
        world.machines.keys.service_actor(Presented(secret, VENDOR_NET))
    assert world.actions()[-1] == (AuditAction.AUTH_FAILED, Outcome.DENIED, "anonymous:unknown")


def test_only_an_admin_issues_machine_keys(world):
    with pytest.raises(PermissionDeniedError):
        _service_key(world, actor=world.staff("dpo"))


def _vendor(world: World, **changes: Any) -> str:
    arguments: dict[str, Any] = {
        "actor": OPERATOR,
        "name": "acme-hvac",
        "fields": ["first_name", "age"],
        "networks": ["203.0.113.0/24"],
        "purpose": "support",
        "valid_from": T0 + timedelta(days=1),
        "expires_at": T0 + timedelta(days=8),
    }
    return world.machines.keys.issue_vendor_key(**{**arguments, **changes}).secret


def test_target_a_vendor_key_from_elsewhere_or_outside_its_time_box_is_refused(world):
    ann = world.customer("ann@example.com", firstName="Ann", age=41, gender="f")
    secret = _vendor(world)
    read = world.machines.vendors.read_customer
    with pytest.raises(AuthenticationError, match="not valid yet"):
        read(presented=Presented(secret, VENDOR_NET), customer_id=ann)
    world.clock.moment = T0 + timedelta(days=2)
    with pytest.raises(AuthenticationError, match="network address"):
        read(presented=Presented(secret, ELSEWHERE), customer_id=ann)
    view = read(presented=Presented(secret, VENDOR_NET), customer_id=ann)
    assert view.fields == {"first_name": "Ann", "age": 41}  # not the email, gender or cards
    world.clock.moment = T0 + timedelta(days=8)
    with pytest.raises(AuthenticationError, match="expired"):
        read(presented=Presented(secret, VENDOR_NET), customer_id=ann)
    refused = [a for a in world.actions() if a[0] is AuditAction.AUTH_FAILED]
    assert [actor for _, _, actor in refused] == ["vendor:acme-hvac"] * 3


def test_a_vendor_key_is_not_a_service_key(world):
    secret = _vendor(world, valid_from=None)
    with pytest.raises(AuthenticationError):
        world.machines.keys.service_actor(Presented(secret, VENDOR_NET))


def test_a_vendor_reading_for_a_consent_purpose_needs_the_customers_consent(world):
    ann = world.customer("ann@example.com", firstName="Ann")
    secret = _vendor(world, purpose="marketing", valid_from=None)
    with pytest.raises(PermissionDeniedError, match="consent"):
        world.machines.vendors.read_customer(
            presented=Presented(secret, VENDOR_NET), customer_id=ann
        )
    assert world.actions()[-1][:2] == (AuditAction.ACCESS_DENIED, Outcome.DENIED)


def _app(world: World, scopes: tuple[str, ...] = ("analytics",)) -> tuple[str, str]:
    registered = world.machines.apps.register(actor=OPERATOR, name="quiz-app", scopes=scopes)
    return registered.app.client_id, registered.client_secret


def _token(world: World, client_id: str, secret: str, scope: str | None = None) -> str:
    request = TokenRequest("client_credentials", client_id, secret, scope, VENDOR_NET)
    return world.machines.apps.issue_token(request).access_token


def test_cambridge_analytica_an_app_reads_only_customers_who_granted_it(world):
    ann = world.customer("ann@example.com", age=41, gender="f")
    bob = world.customer("bob@example.com", age=52, gender="m")
    client_id, secret = _app(world)
    dpo = world.staff("dpo")
    world.machines.grants.record(
        actor=dpo, customer_id=ann, client_id=client_id, purpose="analytics", granted=True
    )
    caller = world.machines.apps.authenticate(_token(world, client_id, secret), VENDOR_NET)
    read = world.machines.grants.read_customer
    view = read(caller=caller, customer_id=ann, purpose="analytics")
    assert view.fields == {"age": 41, "gender": "f"}  # never the email
    with pytest.raises(PermissionDeniedError, match="not granted"):
        read(caller=caller, customer_id=bob, purpose="analytics")
    world.machines.grants.record(
        actor=dpo, customer_id=ann, client_id=client_id, purpose="analytics", granted=False
    )
    with pytest.raises(PermissionDeniedError, match="not granted"):
        read(caller=caller, customer_id=ann, purpose="analytics")
    denied = [a for a in world.actions() if a[0] is AuditAction.ACCESS_DENIED]
    assert [actor for _, _, actor in denied] == [f"app:{client_id}"] * 2


def test_a_withdrawal_in_the_consent_ledger_also_stops_the_app(world):
    ann = world.customer("ann@example.com", age=41)
    client_id, secret = _app(world)
    world.machines.grants.record(
        actor=world.staff("dpo"), customer_id=ann, client_id=client_id, purpose="analytics",
        granted=True,
    )  # fmt: skip
    with world.factory() as uow:
        uow.consents.add([Consent(ann, "analytics", False, world.source_id, T0)])
        uow.commit()
    caller = world.machines.apps.authenticate(_token(world, client_id, secret), VENDOR_NET)
    with pytest.raises(PermissionDeniedError):
        world.machines.grants.read_customer(caller=caller, customer_id=ann, purpose="analytics")


def test_scopes_outside_the_registration_are_invalid_scope(world):
    client_id, secret = _app(world)
    with pytest.raises(OAuthError) as refused:
        _token(world, client_id, secret, "analytics marketing")
    assert (refused.value.code, refused.value.status) == ("invalid_scope", 400)
    with pytest.raises(OAuthError) as wrong:
        _token(world, client_id, "sra_wrong")
    assert (wrong.value.code, wrong.value.status) == ("invalid_client", 401)


def test_an_app_token_reads_only_its_scopes_and_stated_known_purposes(world):
    ann = world.customer("ann@example.com", age=41, firstName="Ann")
    client_id, secret = _app(world, ("analytics", "marketing"))
    for purpose in ("analytics", "marketing"):
        world.machines.grants.record(
            actor=world.staff("dpo"), customer_id=ann, client_id=client_id, purpose=purpose,
            granted=True,
        )  # fmt: skip
    caller = world.machines.apps.authenticate(
        _token(world, client_id, secret, "analytics"), VENDOR_NET
    )
    read = world.machines.grants.read_customer
    with pytest.raises(PermissionDeniedError, match="scopes do not include"):
        read(caller=caller, customer_id=ann, purpose="marketing")
    with pytest.raises(InvalidInputError, match="unknown purpose"):
        read(caller=caller, customer_id=ann, purpose="harvesting")
    with pytest.raises(InvalidInputError, match="state the purpose"):
        read(caller=caller, customer_id=ann, purpose=None)


def test_app_tokens_expire_and_die_with_their_app(world):
    client_id, secret = _app(world)
    token = _token(world, client_id, secret)
    world.clock.moment = T0 + timedelta(minutes=15)
    with pytest.raises(AuthenticationError, match="expired"):
        world.machines.apps.authenticate(token, VENDOR_NET)
    token = _token(world, client_id, secret)
    world.machines.apps.revoke(actor=OPERATOR, client_id=client_id)
    with pytest.raises(AuthenticationError):
        world.machines.apps.authenticate(token, VENDOR_NET)
    with pytest.raises(OAuthError):
        _token(world, client_id, secret)


def test_a_grant_names_a_registered_scope_of_a_known_app_and_customer(world):
    ann = world.customer("ann@example.com")
    client_id, _ = _app(world)
    record = world.machines.grants.record
    dpo = world.staff("dpo")
    with pytest.raises(InvalidInputError, match="not registered for"):
        record(actor=dpo, customer_id=ann, client_id=client_id, purpose="marketing", granted=True)
    with pytest.raises(PermissionDeniedError):
        record(
            actor=world.staff("support"), customer_id=ann, client_id=client_id,
            purpose="analytics", granted=True,
        )  # fmt: skip
    with world.factory() as uow:
        assert uow.apps.grants(ann) == []
