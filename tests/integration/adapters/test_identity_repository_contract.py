"""The identity repositories and the history moves, on the fakes, SQLite and PostgreSQL alike."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import timedelta

import pytest

from strongroom.core.errors import ConflictError
from strongroom.core.identity import (
    Merge,
    MergeMove,
    MergeReview,
    MoveCause,
    MoveKind,
    Provenance,
    ReviewStatus,
    cluster_of,
    pair_of,
    root_of,
)
from strongroom.core.models import Consent, CustomerId, Identifier, IdentifierKind
from strongroom.core.ports import UnitOfWorkFactory

from .conftest import T0, Samples, Seeded

AUTO = Provenance("identify.anonymous_id", "source:web", None, "msg-1")


def _customers(uow_factory: UnitOfWorkFactory, samples: Samples, n: int) -> list[CustomerId]:
    made = [samples.customer() for _ in range(n)]
    with uow_factory() as uow:
        uow.customers.add(made)
        uow.commit()
    return [c.id for c in made]


def _merge(source: CustomerId, target: CustomerId, **changes: object) -> Merge:
    merge = Merge(str(uuid.uuid4()), source, target, AUTO, T0)
    return replace(merge, **changes)  # type: ignore[arg-type]


def test_merges_round_trip_and_point_to_their_target(
    uow_factory: UnitOfWorkFactory, samples: Samples
) -> None:
    a, b, c = _customers(uow_factory, samples, 3)
    manual = Provenance("review", "local:ops", reason="ticket 9")
    first, second = _merge(b, a), _merge(c, a, provenance=manual, created_at=T0 + timedelta(1))
    with uow_factory() as uow:
        uow.merges.add([first, second])
        uow.commit()
    with uow_factory() as uow:
        assert uow.merges.get(first.id) == first
        assert uow.merges.get("nope") is None
        assert uow.merges.list(limit=10) == [second, first]
        assert uow.merges.targets([a, b, c]) == {b: first, c: second}
        assert uow.merges.merged_into([a]) == sorted([first, second], key=lambda m: m.id)
        assert cluster_of(uow.merges, a)[0] == a
        assert set(cluster_of(uow.merges, a)) == {a, b, c}
        assert root_of(uow.merges, b) == [first]


def test_a_customer_has_at_most_one_active_merge(
    uow_factory: UnitOfWorkFactory, samples: Samples
) -> None:
    a, b, c = _customers(uow_factory, samples, 3)
    with uow_factory() as uow:
        uow.merges.add([_merge(b, a)])
        uow.commit()
    with uow_factory() as uow, pytest.raises(ConflictError):
        uow.merges.add([_merge(b, c)])


def test_undo_keeps_the_record_and_frees_the_customer(
    uow_factory: UnitOfWorkFactory, samples: Samples
) -> None:
    a, b, c = _customers(uow_factory, samples, 3)
    merge = _merge(b, a)
    with uow_factory() as uow:
        uow.merges.add([merge])
        uow.merges.lock([a, b])
        uow.merges.undo(merge.id, when=T0 + timedelta(hours=1), actor="local:ops", reason="x")
        with pytest.raises(ConflictError):
            uow.merges.undo(merge.id, when=T0, actor="local:ops", reason="again")
        uow.merges.add([_merge(b, c)])  # free to be merged again
        uow.commit()
    with uow_factory() as uow:
        stored = uow.merges.get(merge.id)
        assert stored is not None
        assert not stored.active
        assert (stored.undone_by, stored.undo_reason) == ("local:ops", "x")
        assert stored.undone_at == T0 + timedelta(hours=1)
        assert uow.merges.list(limit=5, active_only=True)[0].target_id == c
        assert uow.merges.targets([b])[b].target_id == c


def test_moves_are_recorded_and_forgotten_per_merge(
    uow_factory: UnitOfWorkFactory, samples: Samples
) -> None:
    a, b, c = _customers(uow_factory, samples, 3)
    inner, outer = _merge(b, a), _merge(a, c)
    moves = [
        MergeMove(inner.id, MoveKind.EVENT, "e1", MoveCause.MERGED),
        MergeMove(inner.id, MoveKind.CONSENT, "7", MoveCause.ROUTED),
        MergeMove(outer.id, MoveKind.EVENT, "e1", MoveCause.MERGED),
        MergeMove(outer.id, MoveKind.ORDER, "o1", MoveCause.MERGED),
    ]
    with uow_factory() as uow:
        uow.merges.add([inner, outer])
        uow.merges.add_moves(moves)
        uow.merges.forget_moves([outer.id], [(MoveKind.EVENT, "e1"), (MoveKind.ORDER, "zz")])
        uow.commit()
    with uow_factory() as uow:
        assert uow.merges.moves(inner.id) == moves[:2]
        assert uow.merges.moves(outer.id) == [moves[3]]


def test_history_moves_to_another_customer_by_id(
    uow_factory: UnitOfWorkFactory, samples: Samples, seeded: Seeded
) -> None:
    (other,) = _customers(uow_factory, samples, 1)
    owner, source = seeded.customer.id, seeded.source.id
    events = [samples.event(owner, source) for _ in range(3)]
    orders = [samples.order(owner, source) for _ in range(2)]
    with uow_factory() as uow:
        uow.events.add(events)
        uow.orders.add(orders)
        uow.consents.add([Consent(owner, "marketing", True, source, T0)])
        uow.consents.add([Consent(other, "analytics", False, source, T0)])
        uow.commit()
    with uow_factory() as uow:
        assert uow.events.ids_for_customer(owner) == sorted(e.id for e in events)
        assert uow.orders.ids_for_customer(owner) == sorted(o.id for o in orders)
        (consent,) = uow.consents.ids_for_customer(owner)
        uow.events.reassign([events[0].id, events[1].id], other)
        uow.orders.reassign([orders[1].id], other)
        uow.consents.reassign([consent], other)
        uow.commit()
    with uow_factory() as uow:
        assert uow.events.count_for_customer(owner) == 1
        assert uow.events.count_for_customer(other) == 2
        assert [o.id for o in uow.orders.for_customer(other)] == [orders[1].id]
        assert [o.lines for o in uow.orders.for_customer(other)] == [orders[1].lines]
        assert uow.consents.latest_for_customer(other) == {"analytics": False, "marketing": True}
        assert uow.consents.latest_for_customer(owner) == {}


def test_identifiers_are_counted_by_kind_once_per_value(
    uow_factory: UnitOfWorkFactory, samples: Samples
) -> None:
    a, b = _customers(uow_factory, samples, 2)

    def ident(customer: CustomerId, kind: IdentifierKind, n: int, version: int) -> Identifier:
        return Identifier(customer, kind, version, b"lk-%d-%d" % (n, version), b"ct-%d" % n, T0)

    with uow_factory() as uow:
        uow.identifiers.add(
            [
                ident(a, IdentifierKind.ANONYMOUS_ID, 1, 1),
                ident(a, IdentifierKind.ANONYMOUS_ID, 1, 2),  # the same id, re-indexed
                ident(a, IdentifierKind.ANONYMOUS_ID, 2, 1),
                ident(a, IdentifierKind.USER_ID, 3, 1),
                ident(b, IdentifierKind.EXTERNAL, 4, 1),
            ]
        )
        uow.commit()
    with uow_factory() as uow:
        assert uow.identifiers.count_by_kind([a, b]) == {
            a: {IdentifierKind.ANONYMOUS_ID: 2, IdentifierKind.USER_ID: 1},
            b: {IdentifierKind.EXTERNAL: 1},
        }


def test_reviews_round_trip_and_are_decided_once(
    uow_factory: UnitOfWorkFactory, samples: Samples
) -> None:
    a, b, c = _customers(uow_factory, samples, 3)
    first = MergeReview("r1", a, b, "different-user-ids", AUTO, T0)
    second = MergeReview("r2", c, a, "limit:email", AUTO, T0 + timedelta(minutes=1))
    with uow_factory() as uow:
        uow.merge_reviews.add([first, second])
        uow.commit()
    decided = replace(
        first,
        status=ReviewStatus.REJECTED,
        decided_at=T0 + timedelta(hours=1),
        decided_by="local:ops",
        decision_reason="household",
    )
    with uow_factory() as uow:
        assert uow.merge_reviews.get("r1") == first
        assert uow.merge_reviews.list(status=ReviewStatus.OPEN, limit=10) == [second, first]
        uow.merge_reviews.decide(decided)
        with pytest.raises(ConflictError):
            uow.merge_reviews.decide(decided)
        uow.commit()
    with uow_factory() as uow:
        assert uow.merge_reviews.get("r1") == decided
        assert uow.merge_reviews.list(status=ReviewStatus.OPEN, limit=10) == [second]
        assert uow.merge_reviews.list(status=None, limit=1) == [second]
        assert uow.merge_reviews.known_pairs([pair_of(b, a), pair_of(a, c), pair_of(b, c)]) == {
            pair_of(a, b): ReviewStatus.REJECTED,
            pair_of(a, c): ReviewStatus.OPEN,
        }
