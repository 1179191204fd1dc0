"""The policy engine's records and rules on in-memory fakes with a fixed clock: the policy file's
validation, training expiry, four eyes, volume counting."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest

from strongroom.access.approvals import FourEyes
from strongroom.access.gate import authorise
from strongroom.access.permissions import BUILTIN_POLICY, ROLES, Permission
from strongroom.access.policyfile import active_policy, parse_text
from strongroom.access.training import TrainingBook, held_to_training, is_trained
from strongroom.access.volume import charge, refusal, window_start
from strongroom.adapters.memory import MemoryUnitOfWorkFactory
from strongroom.audit.service import AuditLog
from strongroom.core.errors import (
    ApprovalRequiredError,
    ConfigurationError,
    NotFoundError,
    TrainingRequiredError,
    VolumeLimitedError,
)
from strongroom.core.models import Actor, Principal, PrincipalKind
from strongroom.core.policy import ApprovalKind, TrainingKind
from strongroom.core.trail import AuditAction

START = datetime(2026, 3, 2, 10, 30, tzinfo=UTC)


@dataclass
class Clock:
    moment: datetime = field(default=START)

    def now(self) -> datetime:
        return self.moment


def person(name: str, role: str = "dpo") -> Actor:
    return Actor(PrincipalKind.STAFF, name, role, f"p-{name}")


World = tuple[MemoryUnitOfWorkFactory, AuditLog, Clock]


@pytest.fixture
def world() -> World:
    uow_factory, clock = MemoryUnitOfWorkFactory(), Clock()
    with uow_factory() as uow:
        for name in ("dana", "sam"):
            uow.principals.add(Principal(f"p-{name}", name, "dpo", START))
        uow.commit()
    return uow_factory, AuditLog(clock), clock


def _actions(uow_factory: MemoryUnitOfWorkFactory) -> list[AuditAction]:
    with uow_factory() as uow:
        return [entry.draft.action for entry in uow.audit.scan()]


@pytest.mark.parametrize(
    ("change", "key"),
    [
        (('"customers.read", "customers.search"', '"customers.readall"'), "roles.support"),
        (('purposes = ["support"]', 'purposes = ["gossip"]'), "roles.support.purposes"),
        (("volume_per_hour = 500", "volume_per_hour = -1"), "roles.support.volume_per_hour"),
        (('version = "2026.1"', "version = 3"), "'version'"),
        (("[purposes.audit]", "[purposes.curiosity]"), "purposes.curiosity"),
    ],
)
def test_a_bad_policy_file_names_the_key(change: tuple[str, str], key: str) -> None:
    with pytest.raises(ConfigurationError, match=key.replace(".", r"\.")):
        parse_text(BUILTIN_POLICY.replace(*change, 1))


def test_the_builtin_policy_is_in_force_with_its_version() -> None:
    assert active_policy().version == "2026.1"
    assert ROLES["support"].volume_per_hour == 500


def test_training_counts_for_365_days_and_needs_the_current_policy_ack(world: World) -> None:
    uow_factory, audit, clock = world
    book = TrainingBook(uow_factory=uow_factory, audit=audit, clock=clock)
    operator = Actor(PrincipalKind.LOCAL, "root", "admin")
    book.record(actor=operator, name="dana", kind=TrainingKind.SECURITY_TRAINING)
    dana = person("dana")
    with uow_factory() as uow:
        assert not is_trained(uow, dana, START)  # no policy acknowledgement yet
    book.record(actor=operator, name="dana", kind=TrainingKind.POLICY_ACK)
    with uow_factory() as uow:
        assert is_trained(uow, dana, START + timedelta(days=365))
        assert not is_trained(uow, dana, START + timedelta(days=366))
    assert AuditAction.TRAINING_RECORDED in _actions(uow_factory)


def test_an_old_policy_ack_does_not_count(world: World) -> None:
    uow_factory, audit, clock = world
    book = TrainingBook(uow_factory=uow_factory, audit=audit, clock=clock)
    operator = Actor(PrincipalKind.LOCAL, "root", "admin")
    book.record(actor=operator, name="sam", kind=TrainingKind.SECURITY_TRAINING)
    book.record(actor=operator, name="sam", kind=TrainingKind.POLICY_ACK, policy_version="2025.9")
    [status] = book.status("sam")
    assert status.security_training_current
    assert not status.policy_acknowledged


def test_training_of_an_unknown_person_is_refused(world: World) -> None:
    uow_factory, audit, clock = world
    book = TrainingBook(uow_factory=uow_factory, audit=audit, clock=clock)
    with pytest.raises(NotFoundError, match="no person named 'mallory'"):
        book.record(actor=person("dana"), name="mallory", kind=TrainingKind.SECURITY_TRAINING)


def test_machines_and_the_local_operator_are_outside_the_training_gate() -> None:
    assert not held_to_training(Actor(PrincipalKind.SERVICE, "etl", "support", "k1"))
    assert not held_to_training(Actor(PrincipalKind.LOCAL, "root", "admin"))
    assert held_to_training(person("dana"))
    assert held_to_training(Actor(PrincipalKind.STAFF, "dana", "dpo"))  # built without an id


def test_a_staff_actor_without_a_principal_id_or_training_is_refused_pii(world: World) -> None:
    uow_factory, audit, _ = world
    ghost = Actor(PrincipalKind.STAFF, "ghost", "dpo")  # no principal id, and no such person
    with uow_factory() as uow:
        assert not is_trained(uow, ghost, START)
    with pytest.raises(TrainingRequiredError) as raised:
        authorise(
            uow_factory=uow_factory,
            audit=audit,
            actor=ghost,
            permission=Permission.PII_READ,
            purpose=None,
            now=START,
        )
    assert raised.value.code == "training_required"
    with uow_factory() as uow:
        denied = list(uow.audit.scan())[-1].draft
    assert (denied.action, denied.actor, denied.detail["reason"]) == (
        AuditAction.ACCESS_DENIED,
        "staff:ghost",
        "training_required",
    )
    allowed = authorise(
        uow_factory=uow_factory,
        audit=audit,
        actor=ghost,
        permission=Permission.CUSTOMERS_READ,
        purpose=None,
        now=START,
    )
    assert allowed == "dsar"  # work without PII goes on


def test_a_staff_actor_without_a_principal_id_counts_the_training_of_the_person_so_named(
    world: World,
) -> None:
    uow_factory, audit, clock = world
    book = TrainingBook(uow_factory=uow_factory, audit=audit, clock=clock)
    operator = Actor(PrincipalKind.LOCAL, "root", "admin")
    for kind in (TrainingKind.SECURITY_TRAINING, TrainingKind.POLICY_ACK):
        book.record(actor=operator, name="dana", kind=kind)
    with uow_factory() as uow:
        assert is_trained(uow, Actor(PrincipalKind.STAFF, "dana", "dpo"), START)
        assert not is_trained(uow, Actor(PrincipalKind.STAFF, "sam", "dpo"), START)


def _four_eyes(world: World) -> FourEyes:
    uow_factory, audit, clock = world
    return FourEyes(uow_factory=uow_factory, audit=audit, clock=clock)


def test_an_approval_by_a_second_person_allows_the_act_once(world: World) -> None:
    eyes = _four_eyes(world)
    asked = eyes.request(
        actor=person("dana"), kind=ApprovalKind.KEY_ROTATION, payload="field-kek", summary="x"
    )
    eyes.approve(actor=person("sam"), approval_id=asked.id)
    used = eyes.use(
        actor=person("dana"),
        approval_id=asked.id,
        kind=ApprovalKind.KEY_ROTATION,
        payload="field-kek",
    )
    assert used.used_at == START
    with pytest.raises(ApprovalRequiredError, match="used already"):
        eyes.use(
            actor=person("dana"),
            approval_id=asked.id,
            kind=ApprovalKind.KEY_ROTATION,
            payload="field-kek",
        )


def test_nobody_approves_their_own_request(world: World) -> None:
    eyes = _four_eyes(world)
    asked = eyes.request(
        actor=person("dana"), kind=ApprovalKind.POLICY_CHANGE, payload="p", summary="x"
    )
    with pytest.raises(ApprovalRequiredError, match="own request"):
        eyes.approve(actor=person("dana"), approval_id=asked.id)
    assert AuditAction.APPROVAL_REFUSED in _actions(world[0])


@pytest.mark.parametrize(
    ("kind", "payload", "actor", "later", "problem"),
    [
        (ApprovalKind.ROLE_GRANT, "field-kek", "dana", 0, "is for key_rotation"),
        (ApprovalKind.KEY_ROTATION, "blind-index", "dana", 0, "different key_rotation"),
        (ApprovalKind.KEY_ROTATION, "field-kek", "sam", 0, "second person"),
        (ApprovalKind.KEY_ROTATION, "field-kek", "dana", 25, "expired"),
    ],
)
def test_an_approval_allows_only_its_own_act_in_time(
    world: World, kind: ApprovalKind, payload: str, actor: str, later: int, problem: str
) -> None:
    eyes = _four_eyes(world)
    asked = eyes.request(
        actor=person("dana"), kind=ApprovalKind.KEY_ROTATION, payload="field-kek", summary="x"
    )
    eyes.approve(actor=person("sam"), approval_id=asked.id)
    world[2].moment = START + timedelta(hours=later)
    with pytest.raises(ApprovalRequiredError, match=problem):
        eyes.use(actor=person(actor), approval_id=asked.id, kind=kind, payload=payload)


def test_an_unapproved_request_allows_nothing(world: World) -> None:
    eyes = _four_eyes(world)
    asked = eyes.request(
        actor=person("dana"), kind=ApprovalKind.BULK_EXPORT, payload="p", summary="x"
    )
    with pytest.raises(ApprovalRequiredError, match="not been approved"):
        eyes.use(
            actor=person("sam"), approval_id=asked.id, kind=ApprovalKind.BULK_EXPORT, payload="p"
        )


def test_volume_is_counted_per_principal_per_hour(world: World) -> None:
    uow_factory, audit, _ = world
    marketer = person("mia", "marketing")  # 200 an hour
    with uow_factory() as uow:
        assert charge(uow, actor=marketer, records=200, now=START) is None
        assert charge(uow, actor=marketer, records=1, now=START) == 200
        assert charge(uow, actor=person("max", "marketing"), records=1, now=START) is None
        next_hour = window_start(START) + timedelta(hours=1)
        assert charge(uow, actor=marketer, records=1, now=next_hour) is None
        assert charge(uow, actor=person("al", "auditor"), records=10**6, now=START) is None
    error = refusal(uow_factory=uow_factory, audit=audit, actor=marketer, limit=200, now=START)
    assert isinstance(error, VolumeLimitedError)
    assert error.retry_after == 30 * 60
    assert _actions(uow_factory) == [AuditAction.VOLUME_EXCEEDED]
