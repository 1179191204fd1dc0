"""Role grants need four eyes: a new staff principal, by token or by account, only with a second
person's approval of exactly that name and role, used up by the grant and audited."""

from __future__ import annotations

import os
from datetime import UTC, datetime

import pytest

from strongroom.access.approvals import FourEyes
from strongroom.access.passwords import HashParameters, Passwords
from strongroom.access.rolegrants import approved_role_grant, role_grant_payload
from strongroom.access.staff import StaffAdmin
from strongroom.access.tokens import issue_token
from strongroom.adapters.memory import MemoryUnitOfWorkFactory
from strongroom.audit.service import AuditLog
from strongroom.core.errors import ApprovalRequiredError
from strongroom.core.models import Actor, PrincipalKind
from strongroom.core.policy import ApprovalKind
from strongroom.core.trail import AuditEntry
from strongroom.vault.keyring import KeyKind, Keyring

ANN = Actor(PrincipalKind.LOCAL, "ann", role="admin")  # asks, then grants
BEN = Actor(PrincipalKind.LOCAL, "ben", role="admin")  # approves
CAL = Actor(PrincipalKind.LOCAL, "cal", role="admin")  # a third operator


class Clock:
    def now(self) -> datetime:
        return datetime(2026, 5, 4, 10, 0, tzinfo=UTC)


class World:
    def __init__(self) -> None:
        self.factory = MemoryUnitOfWorkFactory()
        self.audit = AuditLog(Clock())
        self.eyes = FourEyes(uow_factory=self.factory, audit=self.audit, clock=Clock())
        self.admin = StaffAdmin(
            uow_factory=self.factory,
            audit=self.audit,
            clock=Clock(),
            passwords=Passwords(HashParameters(time_cost=1, memory_kib=64, parallelism=1)),
            keys=Keyring({KeyKind.TOKEN: {1: os.urandom(32)}}),
        )

    def token(self, name: str, role: str, approval_id: str | None, actor: Actor = ANN) -> str:
        return issue_token(
            uow_factory=self.factory,
            audit=self.audit,
            clock=Clock(),
            actor=actor,
            principal_name=name,
            role=role,
            approval_id=approval_id,
        ).token

    def grant(self, name: str, role: str) -> str:
        """ann asks, ben approves."""
        return approved_role_grant(self.eyes, asker=ANN, approver=BEN, name=name, role=role).id

    def exists(self, name: str) -> bool:
        with self.factory() as uow:
            return uow.principals.by_name(name) is not None

    def entries(self) -> list[AuditEntry]:
        with self.factory() as uow:
            return list(uow.audit.scan())

    def actions(self) -> list[str]:
        return [entry.draft.action.stored_name for entry in self.entries()]


@pytest.fixture
def world() -> World:
    return World()


def test_a_token_for_a_new_name_without_an_approval_is_refused_and_nothing_is_created(
    world: World,
) -> None:
    with pytest.raises(ApprovalRequiredError, match="role_grant:sam:support"):
        world.token("sam", "support", None)
    assert not world.exists("sam")
    refused = world.entries()[-1].draft
    assert (refused.action.stored_name, refused.outcome.value) == ("approval.refused", "denied")
    assert refused.detail["kind"] == "role_grant"
    assert "token.created" not in world.actions()


def test_staff_create_without_an_approval_is_refused_and_nothing_is_created(world: World) -> None:
    with pytest.raises(ApprovalRequiredError, match="second person"):
        world.admin.create(actor=ANN, name="dora", role="dpo", approval_id=None)
    assert not world.exists("dora")
    assert world.admin.people() == []
    assert world.actions() == ["approval.refused"]


def test_an_approved_grant_creates_the_principal_and_the_log_shows_every_step(
    world: World,
) -> None:
    approval = world.grant("sam", "support")
    world.token("sam", "support", approval)
    assert world.exists("sam")
    steps = [(e.draft.action.stored_name, e.draft.actor) for e in world.entries()]
    assert steps == [
        ("approval.requested", "local:ann"),
        ("approval.granted", "local:ben"),
        ("approval.used", "local:ann"),
        ("token.created", "local:ann"),
    ]
    used = world.entries()[2].draft
    assert used.resource_ids == (approval,)
    assert (used.detail["requested_by"], used.detail["approved_by"]) == ("ann", "ben")


def test_staff_create_with_an_approval_gives_the_person_an_account(world: World) -> None:
    enrolment = world.admin.create(
        actor=ANN, name="dora", role="dpo", approval_id=world.grant("dora", "dpo")
    )
    assert (enrolment.name, enrolment.role) == ("dora", "dpo")
    assert [person.name for person in world.admin.people()] == ["dora"]
    assert world.actions()[-2:] == ["approval.used", "staff.created"]


def test_the_grant_uses_its_approval_up(world: World) -> None:
    approval = world.grant("sam", "support")
    world.token("sam", "support", approval)
    (stored,) = world.eyes.list()
    assert (stored.id, stored.used_at) == (approval, Clock().now())


def test_nobody_approves_their_own_grant(world: World) -> None:
    asked = world.eyes.request(
        actor=ANN,
        kind=ApprovalKind.ROLE_GRANT,
        payload=role_grant_payload("sam", "support"),
        summary="grant",
    )
    with pytest.raises(ApprovalRequiredError, match="own request"):
        world.eyes.approve(actor=ANN, approval_id=asked.id)
    with pytest.raises(ApprovalRequiredError, match="not been approved"):
        world.token("sam", "support", asked.id)
    assert not world.exists("sam")


def test_the_approver_may_not_make_the_grant_themselves(world: World) -> None:
    approval = world.grant("sam", "support")
    with pytest.raises(ApprovalRequiredError, match="second person"):
        world.token("sam", "support", approval, actor=BEN)
    assert not world.exists("sam")
    assert world.actions()[-1] == "approval.refused"
    world.token("sam", "support", approval, actor=CAL)  # still unused: a third person may
    assert world.exists("sam")


@pytest.mark.parametrize(
    ("name", "role"), [("sam", "dpo"), ("samuel", "support")], ids=["other role", "other name"]
)
def test_an_approval_grants_only_the_name_and_role_it_was_given_for(
    world: World, name: str, role: str
) -> None:
    approval = world.grant("sam", "support")
    with pytest.raises(ApprovalRequiredError, match="different role_grant"):
        world.token(name, role, approval)
    assert not world.exists(name)
    assert world.actions()[-1] == "approval.refused"


def test_an_approval_of_another_kind_grants_nothing(world: World) -> None:
    payload = role_grant_payload("sam", "support")
    asked = world.eyes.request(
        actor=ANN, kind=ApprovalKind.POLICY_CHANGE, payload=payload, summary="x"
    )
    world.eyes.approve(actor=BEN, approval_id=asked.id)
    with pytest.raises(ApprovalRequiredError, match="policy_change, not role_grant"):
        world.token("sam", "support", asked.id)
    assert not world.exists("sam")


def test_a_further_token_for_someone_who_holds_the_role_grants_nothing_and_needs_no_approval(
    world: World,
) -> None:
    world.token("sam", "support", world.grant("sam", "support"))
    second = world.token("sam", "support", None)
    assert second.startswith("srt_")
    assert world.actions()[-1] == "token.created"


def test_an_account_for_a_token_holder_with_the_same_role_needs_no_approval(
    world: World,
) -> None:
    world.token("sam", "support", world.grant("sam", "support"))
    enrolment = world.admin.create(actor=ANN, name="sam", role="support", approval_id=None)
    assert enrolment.role == "support"
