"""Linking customers during a batch: merge when the rules allow it, else hold it for review.

The rules, in order, for two customers (roots of their clusters) that one message ties together:
1. a pair already reviewed and still open, or rejected (unmerging rejects it), is left alone;
2. if both hold a userId, the pair goes to review: two user ids are never merged automatically;
3. if together they would hold more identifiers of a kind than its limit, the pair goes to review;
4. otherwise they merge: the one with a userId survives, else the older, else the smaller id.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Sequence
from datetime import datetime

from strongroom.collect.guardrails import IdentityPolicy
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
)
from strongroom.core.models import CustomerId, IdentifierKind
from strongroom.core.ports import UnitOfWork
from strongroom.core.trail import AuditAction, AuditDraft, Origin, Outcome

_CONTACT_FIELDS = ("email", "phone")


class Linker:
    """The merge pointers of the customers a batch touches, and the merges it decides on."""

    def __init__(self, uow: UnitOfWork, policy: IdentityPolicy, now: datetime) -> None:
        self._uow, self._policy, self._now = uow, policy, now
        self._parent: dict[CustomerId, Merge] = {}
        self._counts: dict[CustomerId, Counter[str]] = {}
        self._created: dict[CustomerId, datetime] = {}
        self._pairs: dict[tuple[CustomerId, CustomerId], ReviewStatus] = {}
        self.new_customers: set[CustomerId] = set()
        self.merges: list[Merge] = []
        self.reviews: list[MergeReview] = []
        self._moved: dict[str, int] = {}

    def load(self, customer_ids: Sequence[CustomerId]) -> set[CustomerId]:
        """Lock the customers and follow their merges to the roots; returns every id seen."""
        pending, seen = set(customer_ids), set[CustomerId]()
        while pending:
            self._uow.merges.lock(sorted(pending))
            found = self._uow.merges.targets(sorted(pending))
            self._parent.update(found)
            seen |= pending
            pending = {merge.target_id for merge in found.values()} - seen
        return seen

    def add_new(self, customer_id: CustomerId) -> None:
        self.new_customers.add(customer_id)
        self._counts[customer_id] = Counter()
        self._created[customer_id] = self._now

    def root(self, customer_id: CustomerId) -> CustomerId:
        return self.path(customer_id)[-1].target_id if customer_id in self._parent else customer_id

    def path(self, customer_id: CustomerId) -> list[Merge]:
        """The merges from ``customer_id`` up to its root, in order (empty for a root)."""
        path: list[Merge] = []
        while (merge := self._parent.get(customer_id)) is not None and len(path) < 64:
            path.append(merge)
            customer_id = merge.target_id
        return path

    def count(self, root: CustomerId, kind: str) -> int:
        return self._cluster_counts(root)[kind]

    def can_take(self, root: CustomerId, kind: str) -> bool:
        """Whether the cluster may hold one more identifier of ``kind``."""
        return self.count(root, kind) < self._policy.limit(kind)

    def took(self, root: CustomerId, kind: str) -> None:
        self._cluster_counts(root)[kind] += 1

    def link(self, root: CustomerId, other: CustomerId, provenance: Provenance) -> CustomerId:
        """Tie two roots together by rule; returns the root the message now belongs to."""
        pair = pair_of(root, other)
        if self._pair_status(pair) in (ReviewStatus.OPEN, ReviewStatus.REJECTED):
            return root
        reason = self._hold_reason(root, other)
        if reason is not None:
            self._pairs[pair] = ReviewStatus.OPEN
            self.reviews.append(
                MergeReview(str(uuid.uuid4()), root, other, reason, provenance, self._now)
            )
            return root
        survivor, merged = self._order(root, other)
        merge = Merge(str(uuid.uuid4()), merged, survivor, provenance, self._now)
        self._parent[merged] = merge
        self._cluster_counts(survivor).update(self._cluster_counts(merged))
        self.merges.append(merge)
        return survivor

    def flush(self) -> None:
        """Store the batch's merges and reviews and move the merged customers' stored history."""
        self._uow.merges.add(self.merges)
        for merge in self.merges:
            self._moved[merge.id] = len(move_history(self._uow, merge))
        self._uow.merge_reviews.add(self.reviews)

    def audit_drafts(self, origin: Origin | None) -> list[AuditDraft]:
        """One audit entry per merge and per review the batch made."""
        drafts = [merge_draft(m, self._moved.get(m.id, 0), origin) for m in self.merges]
        return drafts + [review_draft(review, origin) for review in self.reviews]

    def _hold_reason(self, a: CustomerId, b: CustomerId) -> str | None:
        user = IdentifierKind.USER_ID.value
        if self.count(a, user) and self.count(b, user):
            return "different-user-ids"
        for kind in sorted(self._policy.limits):
            if self.count(a, kind) + self.count(b, kind) > self._policy.limit(kind):
                return f"limit:{kind}"
        return None

    def _order(self, a: CustomerId, b: CustomerId) -> tuple[CustomerId, CustomerId]:
        """(survivor, merged away): the one holding a userId, else the older, else the smaller."""
        user = IdentifierKind.USER_ID.value

        def rank(c: CustomerId) -> tuple[int, datetime, CustomerId]:
            return (0 if self.count(c, user) else 1, self._created[c], c)

        first, second = sorted((a, b), key=rank)
        return first, second

    def _pair_status(self, pair: tuple[CustomerId, CustomerId]) -> ReviewStatus | None:
        """The decision on two roots, or on any two members of their clusters: a pair rejected
        before one side merged with a third customer stays rejected under the new root."""
        if pair not in self._pairs:
            first, second = (cluster_of(self._uow.merges, root) for root in pair)
            member_pairs = [pair_of(a, b) for a in first for b in second]
            known = self._uow.merge_reviews.known_pairs(member_pairs)
            decided = [known[p] for p in member_pairs if p in known]
            for status in (ReviewStatus.OPEN, ReviewStatus.REJECTED):
                if status in decided:
                    self._pairs[pair] = status
                    break
        return self._pairs.get(pair)

    def _cluster_counts(self, root: CustomerId) -> Counter[str]:
        if root not in self._counts:
            members = [m for m in cluster_of(self._uow.merges, root) if m not in self._counts]
            counts: Counter[str] = Counter()
            for per_kind in self._uow.identifiers.count_by_kind(members).values():
                counts.update({kind.value: n for kind, n in per_kind.items()})
            stored = self._uow.customers.get_many(members)
            for customer in stored.values():
                counts.update(f for f in _CONTACT_FIELDS if f in customer.encrypted)
            if root in stored:
                self._created[root] = stored[root].created_at
            self._counts[root] = counts
        return self._counts[root]


def move_history(uow: UnitOfWork, merge: Merge) -> list[MergeMove]:
    """Give the merged-away customer's events, orders and consents to the survivor; record them."""
    source, target = merge.source_id, merge.target_id
    events = uow.events.ids_for_customer(source)
    orders = uow.orders.ids_for_customer(source)
    consents = uow.consents.ids_for_customer(source)
    uow.events.reassign(events, target)
    uow.orders.reassign(orders, target)
    uow.consents.reassign(consents, target)
    rows = [
        *((MoveKind.EVENT, row) for row in events),
        *((MoveKind.ORDER, row) for row in orders),
        *((MoveKind.CONSENT, str(row)) for row in consents),
    ]
    moves = [MergeMove(merge.id, kind, row, MoveCause.MERGED) for kind, row in rows]
    uow.merges.add_moves(moves)
    return moves


def merge_draft(merge: Merge, moved: int, origin: Origin | None) -> AuditDraft:
    """The audit entry of a merge: the two customers, the rule and message; never a value."""
    detail: dict[str, str | int] = {"merge_id": merge.id, "rule": merge.provenance.rule}
    detail |= {"moved_rows": moved} if moved >= 0 else {}
    if merge.provenance.message_id:
        detail["message_id"] = merge.provenance.message_id[:256]
    if merge.review_id:
        detail["review_id"] = merge.review_id
    return AuditDraft(
        actor=merge.provenance.actor,
        action=AuditAction.CUSTOMERS_MERGED,
        outcome=Outcome.SUCCESS,
        resource_type="customer",
        resource_ids=(merge.source_id, merge.target_id),
        purpose="collection" if merge.review_id is None else "administration",
        detail=detail,
        origin=origin,
    )


def review_draft(review: MergeReview, origin: Origin | None) -> AuditDraft:
    detail: dict[str, str | int] = {"review_id": review.id, "reason": review.reason}
    detail["rule"] = review.provenance.rule
    return AuditDraft(
        actor=review.provenance.actor,
        action=AuditAction.MERGE_REVIEW_OPENED,
        outcome=Outcome.SUCCESS,
        resource_type="customer",
        resource_ids=(review.customer_id, review.other_id),
        purpose="collection",
        detail=detail,
        origin=origin,
    )
