"""Identity resolution rules on the fakes: stitching, merges, reviews, guard rails, unmerge."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from strongroom.adapters.memory import MemoryUnitOfWorkFactory
from strongroom.audit.service import AuditLog
from strongroom.collect.guardrails import IdentityPolicy, parse_blocked_values, parse_limits
from strongroom.collect.merges import IdentityService
from strongroom.collect.segment import parse_request
from strongroom.collect.service import Ingestor, IngestResult
from strongroom.collect.sources import create_source
from strongroom.core.errors import ConfigurationError, ConflictError, InvalidInputError
from strongroom.core.identity import ReviewStatus, root_of
from strongroom.core.models import Actor, Channel, CustomerId, IdentifierKind, PrincipalKind
from strongroom.core.trail import AuditAction
from strongroom.vault.blindindex import normalise_identifier
from strongroom.vault.keyring import Keyring
from strongroom.vault.rootkey import LocalRootKey
from strongroom.vault.service import SubjectVault
from strongroom.vault.shredding import Shredder

OPERATOR = Actor(PrincipalKind.LOCAL, "ops", role="admin")


class StepClock:
    """Moves a second on each reading, so that older customers are older."""

    def __init__(self) -> None:
        self._now = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)

    def now(self) -> datetime:
        self._now += timedelta(seconds=1)
        return self._now


class World:
    def __init__(self, policy: IdentityPolicy | None = None) -> None:
        self.clock = StepClock()
        root = LocalRootKey(os.urandom(32))
        self.keyring = Keyring.open(root, Keyring.create_initial(root, now=self.clock.now()))
        self.vault = SubjectVault(self.keyring)
        self.factory = MemoryUnitOfWorkFactory()
        self.audit = AuditLog(self.clock)
        self.source = create_source(
            uow_factory=self.factory,
            audit=self.audit,
            clock=self.clock,
            actor=OPERATOR,
            name="web",
            channel=Channel.WEB,
        ).source
        self.ingestor = Ingestor(
            uow_factory=self.factory,
            vault=self.vault,
            audit=self.audit,
            clock=self.clock,
            identity=policy,
        )
        self.identity = IdentityService(self.factory, self.audit, self.clock)
        self._n = 0

    def send(self, *messages: dict[str, Any]) -> IngestResult:
        batch = []
        for message in messages:
            self._n += 1
            batch.append({"messageId": f"m-{self._n}", **message})
        request = parse_request(json.dumps({"batch": batch}).encode(), endpoint="batch")
        return self.ingestor.ingest(source=self.source, request=request)

    def entry(self, kind: IdentifierKind, value: str) -> CustomerId | None:
        normalised = normalise_identifier(kind.value, value)
        lookups = [lookup for _, lookup in self.vault.lookup_values(kind.value, normalised)]
        with self.factory() as uow:
            found = uow.identifiers.resolve(kind, lookups)
        return next(iter(found.values()), None)

    def owner(self, kind: IdentifierKind, value: str) -> CustomerId | None:
        """The customer an identifier belongs to now: its holder's root."""
        entry = self.entry(kind, value)
        if entry is None:
            return None
        with self.factory() as uow:
            path = root_of(uow.merges, entry)
        return path[-1].target_id if path else entry

    def user(self, value: str) -> CustomerId | None:
        return self.owner(IdentifierKind.USER_ID, value)

    def anon(self, value: str) -> CustomerId | None:
        return self.owner(IdentifierKind.ANONYMOUS_ID, value)

    def events(self, customer_id: CustomerId | None) -> int:
        assert customer_id is not None
        with self.factory() as uow:
            return uow.events.count_for_customer(customer_id)

    def customers(self) -> int:
        with self.factory() as uow:
            return uow.customers.count()


def track(anon: str | None = None, user: str | None = None, **extra: Any) -> dict[str, Any]:
    ids = {"anonymousId": anon} if anon else {}
    return {
        "type": "track",
        "event": "Viewed",
        **ids,
        **({"userId": user} if user else {}),
        **extra,
    }


def identify(user: str | None = None, anon: str | None = None, **traits: Any) -> dict[str, Any]:
    message: dict[str, Any] = {"type": "identify", "traits": traits}
    if user is not None:
        message["userId"] = user
    if anon is not None:
        message["anonymousId"] = anon
    return message


def alias(previous: str, user: str) -> dict[str, Any]:
    return {"type": "alias", "previousId": previous, "userId": user}


def external(anon: str, kind: str, value: Any) -> dict[str, Any]:
    return track(anon, context={"externalIds": [{"id": value, "type": kind, "collection": "u"}]})


@pytest.fixture
def world() -> World:
    return World()


# --- the rules, as a table: (batches, ids that must share a customer, ids that must not) --------

Batches = list[list[dict[str, Any]]]
SCENARIOS: dict[str, tuple[Batches, list[str], list[str], int, int]] = {
    # name: (batches, same customer, separate customers, merges, open reviews)
    "identify stitches the anonymous history": (
        [[track("a1"), track("a1")], [identify("u1", "a1")]],
        ["u:u1", "a:a1"],
        [],
        0,
        0,
    ),
    "a second anonymous visitor merges into the user": (
        [[identify("u1", "a1")], [track("a2")], [identify("u1", "a2")]],
        ["u:u1", "a:a1", "a:a2"],
        [],
        1,
        0,
    ),
    "a merge inside one batch": (
        [[identify("u1", "a1"), track("a2"), track("a2"), identify("u1", "a2")]],
        ["u:u1", "a:a1", "a:a2"],
        [],
        1,  # a2's customer, made earlier in the batch, merges into u1's
        0,
    ),
    "two user ids are never merged automatically": (
        [[identify("u1", "a1")], [identify("u2", "a2")], [identify("u1", "a2")]],
        ["u:u1", "a:a1"],
        ["u:u1", "u:u2"],
        0,
        1,
    ),
    "an anonymous id of another user gives a new user its own customer": (
        [[identify("u1", "a1")], [identify("u2", "a1")]],
        ["u:u1", "a:a1"],
        ["u:u1", "u:u2"],
        0,
        1,
    ),
    "alias links the previous anonymous id to the user": (
        [[track("a1"), track("a1")], [identify("u1", "b1")], [alias("a1", "u1")]],
        ["u:u1", "a:a1", "a:b1"],
        [],
        1,
        0,
    ),
    "alias of two user ids goes to review": (
        [[identify("u1", "a1")], [identify("u2", "a2")], [alias("u1", "u2")]],
        [],
        ["u:u1", "u:u2"],
        0,
        1,
    ),
    "an unknown alias previous id becomes an anonymous id of the user": (
        [[identify("u1", "b1")], [alias("a9", "u1")], [track("a9")]],
        ["u:u1", "a:a9"],
        [],
        0,
        0,
    ),
    "an email links a new anonymous visitor": (
        [
            [identify(anon="a1", email="Jo@Shop.example")],
            [identify(anon="a2", email="jo@shop.example")],
        ],
        ["a:a1", "a:a2"],
        [],
        0,
        0,
    ),
    "an external id links": (
        [[external("a1", "shopify", 42)], [external("a2", "Shopify", "42")]],
        ["a:a1", "a:a2"],
        [],
        0,
        0,
    ),
    "two customers with one external id merge": (
        [[track("a1"), track("a2")], [external("a1", "crm", "c-7"), track("a2")]],
        ["a:a1"],
        ["a:a1", "a:a2"],
        0,
        0,
    ),
    "a blocked user id links nobody": (
        [[identify("null", "a1")], [identify("null", "a2")], [identify("undefined", "a3")]],
        [],
        ["a:a1", "a:a2", "a:a3"],
        0,
        0,
    ),
    "a blocked numeric user id links nobody": (
        [[{"type": "identify", "userId": 0, "anonymousId": "a1"}], [identify("0", "a2")]],
        [],
        ["a:a1", "a:a2"],
        0,
        0,
    ),
    "a test email address links nobody": (
        [
            [identify(anon="a1", email="test@example.com")],
            [identify(anon="a2", email="TEST@example.com")],
        ],
        [],
        ["a:a1", "a:a2"],
        0,
        0,
    ),
    "a blocked anonymous id is not stored": (
        [[identify("u1", "anonymous")], [identify("u2", "anonymous")]],
        [],
        ["u:u1", "u:u2"],
        0,
        0,
    ),
}


def _id(world: World, name: str) -> CustomerId | None:
    kind, value = name.split(":")
    return world.user(value) if kind == "u" else world.anon(value)


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_resolution_rules(name: str) -> None:
    batches, same, separate, merges, reviews = SCENARIOS[name]
    world = World()
    for batch in batches:
        world.send(*batch)
    owners = {n: _id(world, n) for n in {*same, *separate}}
    assert all(owners[n] is not None for n in same), owners
    assert len({owners[n] for n in same}) <= 1, owners
    separate_owners = [owners[n] for n in separate]
    assert len(set(separate_owners)) == len(separate_owners), owners
    assert len(world.identity.merges(active_only=True)) == merges
    assert len(world.identity.reviews()) == reviews


def test_blocked_ids_are_never_stored_as_identifiers(world: World) -> None:
    world.send(identify("null", "a1"), identify("u1", "undefined"))
    assert world.entry(IdentifierKind.USER_ID, "null") is None
    assert world.entry(IdentifierKind.ANONYMOUS_ID, "undefined") is None
    assert world.user("u1") is not None


def test_stitching_keeps_every_event_on_one_customer(world: World) -> None:
    world.send(track("a1"), track("a1"))
    world.send(identify("u1", "a1"))
    world.send(track(user="u1"))
    assert world.customers() == 1
    assert world.events(world.user("u1")) == 4


def test_a_merge_moves_the_history_and_records_provenance(world: World) -> None:
    world.send(identify("u1", "a1"))
    world.send(track("a2"), track("a2"))
    merged_away = world.anon("a2")
    world.send(identify("u1", "a2"))
    (merge,) = world.identity.merges()
    assert merge.source_id == merged_away
    assert merge.target_id == world.user("u1")
    assert merge.provenance.rule == "identify.anonymous_id"
    assert merge.provenance.actor == "source:web"
    assert merge.provenance.source_id == world.source.id
    assert merge.provenance.message_id == "m-4"
    assert world.events(world.user("u1")) == 4
    assert world.events(merged_away) == 0


def test_merges_and_reviews_are_audited(world: World) -> None:
    world.send(identify("u1", "a1"), track("a2"))
    world.send(identify("u1", "a2"), identify("u2", "a3"))
    world.send(identify("u2", "a1"))
    with world.factory() as uow:
        actions = [entry.draft.action for entry in uow.audit.scan()]
    assert actions.count(AuditAction.CUSTOMERS_MERGED) == 1
    assert actions.count(AuditAction.MERGE_REVIEW_OPENED) == 1


def test_unmerge_gives_back_what_the_merge_moved_and_what_came_later(world: World) -> None:
    world.send(identify("u1", "a1"), track("a1"))
    world.send(track("a2"), track("a2"))
    merged_away = world.anon("a2")
    world.send(identify("u1", "a2"))  # merges a2's customer into u1's
    world.send(track("a2"), track("a2"), track("a1"))  # a2's later events route to u1
    survivor = world.user("u1")
    assert world.events(survivor) == 8
    (merge,) = world.identity.merges()
    done = world.identity.unmerge(actor=OPERATOR, merge_id=merge.id, reason="ticket 7")
    assert (done.events, done.orders, done.consents) == (4, 0, 0)
    assert world.anon("a2") == merged_away
    assert world.events(merged_away) == 4  # its two, and the two that came through a2 later
    assert world.events(survivor) == 4  # identify, track, the merging identify, a1's track
    world.send(identify("u1", "a2"))  # the unmerged pair is not merged again
    assert world.anon("a2") == merged_away
    assert world.identity.merges(active_only=True) == []
    (undone,) = world.identity.merges()
    assert undone.undone_by == "local:ops"
    assert undone.undo_reason == "ticket 7"


def test_unmerge_twice_is_refused(world: World) -> None:
    world.send(identify("u1", "a1"))
    world.send(track("a2"))
    world.send(identify("u1", "a2"))
    (merge,) = world.identity.merges()
    world.identity.unmerge(actor=OPERATOR, merge_id=merge.id, reason="wrong")
    with pytest.raises(ConflictError):
        world.identity.unmerge(actor=OPERATOR, merge_id=merge.id, reason="again")


def test_unmerging_an_inner_merge_of_a_chain_keeps_the_outer_one_exact(world: World) -> None:
    world.send(track("a1"))  # A
    world.send(track("a2"), track("a2"))  # B
    world.send(identify("u1", "b0"))  # U
    world.send(identify(anon="a1", email="x@shop.example"))
    world.send(identify(anon="a2", email="x@shop.example"))  # B merges into A
    world.send(identify("u1", "a1"))  # A merges into U: B's rows go along
    inner = next(
        m
        for m in world.identity.merges()
        if m.source_id == world.entry(IdentifierKind.ANONYMOUS_ID, "a2")
    )
    b = inner.source_id
    world.identity.unmerge(actor=OPERATOR, merge_id=inner.id, reason="not the same")
    # Its two tracks; its identify entered by the email, which is A's, so it stays with A.
    assert world.events(b) == 2
    outer = next(m for m in world.identity.merges(active_only=True))
    done = world.identity.unmerge(actor=OPERATOR, merge_id=outer.id, reason="not the same")
    assert done.events == 3  # A's track and both identify calls; none of B's any more
    assert world.events(b) == 2


@pytest.mark.parametrize("approved_user", ["u2", "u3"])
def test_approving_a_review_merges_and_rejecting_keeps_apart(
    world: World, approved_user: str
) -> None:
    world.send(identify("u1", "a1"), identify("u2", "a2"), identify("u3", "a3"))
    world.send(identify("u1", "a2"), identify("u1", "a3"))
    # Both orders: a pair rejected must stay rejected whichever customer survives the merge.
    reviews = world.identity.reviews()
    first, second = sorted(reviews, key=lambda r: _user_of(world, r.other_id) != approved_user)
    with pytest.raises(InvalidInputError):
        world.identity.approve(actor=OPERATOR, review_id=first.id, reason="  ")
    merge = world.identity.approve(actor=OPERATOR, review_id=first.id, reason="same person")
    assert merge.review_id == first.id
    assert merge.provenance.reason == "same person"
    assert world.user("u1") == world.user(_user_of(world, first.other_id))
    world.identity.reject(actor=OPERATOR, review_id=second.id, reason="household")
    with pytest.raises(ConflictError):
        world.identity.approve(actor=OPERATOR, review_id=second.id, reason="changed my mind")
    world.send(identify("u1", "a3"))  # rejected: no new review
    assert world.identity.reviews() == []
    assert {r.status for r in world.identity.reviews(status=None)} == {
        ReviewStatus.APPROVED,
        ReviewStatus.REJECTED,
    }


def _user_of(world: World, customer_id: CustomerId) -> str:
    for user in ("u1", "u2", "u3"):
        if world.entry(IdentifierKind.USER_ID, user) == customer_id:
            return user
    raise AssertionError("no user id")


def test_a_per_type_limit_sends_the_link_to_review() -> None:
    world = World(IdentityPolicy(limits=parse_limits("anonymous_id=2")))
    world.send(identify("u1", "a1"), track("a2"))
    world.send(identify("u1", "a2"))  # two anonymous ids: within the limit, merged
    world.send(track("a3"))
    world.send(identify("u1", "a3"))  # a third: review
    assert world.anon("a3") != world.user("u1")
    (review,) = world.identity.reviews()
    assert review.reason == "limit:anonymous_id"


def test_a_new_identifier_beyond_the_limit_is_not_stored() -> None:
    world = World(IdentityPolicy(limits=parse_limits("external=1")))
    world.send(external("a1", "crm", 1))
    world.send(external("a1", "crm", 2))
    assert world.entry(IdentifierKind.EXTERNAL, "crm:2") is None
    assert world.owner(IdentifierKind.EXTERNAL, "crm:1") == world.anon("a1")


def test_erasing_a_merged_person_shreds_every_key_they_are_under(world: World) -> None:
    world.send(identify("u1", "a1"))
    world.send(track("a2"))
    merged_away = world.anon("a2")
    survivor = world.user("u1")
    world.send(identify("u1", "a2"))
    assert merged_away is not None
    assert survivor is not None
    with world.factory() as uow:
        receipts = Shredder(world.keyring, world.audit).erase_person(
            uow,
            actor=OPERATOR,
            customer_id=survivor,
            reason="dsar 1",
            purpose="administration",
            now=world.clock.now(),
        )
        uow.commit()
    assert len(receipts) == 2
    with world.factory() as uow:
        assert uow.subject_keys.get_many([survivor, merged_away]) == {}
        assert uow.identifiers.for_customer(merged_away) == []
    assert world.entry(IdentifierKind.ANONYMOUS_ID, "a2") is None


@pytest.mark.parametrize(
    ("text", "blocked", "allowed"),
    [
        (None, ["null", "Test@Example.com", "0"], ["u1", "jo@example.com"]),
        ("+*@example.org", ["null", "jo@example.org"], ["jo@example.com"]),
        ("guest-1, *@spam.example", ["GUEST-1", "x@spam.example"], ["null", "u1"]),
    ],
)
def test_blocked_values_setting(text: str | None, blocked: list[str], allowed: list[str]) -> None:
    policy = IdentityPolicy(blocked=parse_blocked_values(text))
    assert not any(policy.usable(value) for value in blocked)
    assert all(policy.usable(value) for value in allowed)


@pytest.mark.parametrize("text", ["email", "email=0", "emails=3", "anonymous_id=x"])
def test_a_malformed_limit_is_refused(text: str) -> None:
    with pytest.raises(ConfigurationError):
        parse_limits(text)


def test_limits_override_defaults() -> None:
    limits = parse_limits("email=3, anonymous_id=50")
    assert (limits["email"], limits["anonymous_id"], limits["user_id"]) == (3, 50, 1)
