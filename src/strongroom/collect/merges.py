"""Merges by people: list them, approve or reject a held merge, undo a merge.

Undoing merge M (S merged into T) gives back to S every row M moved or later routed to T, and
tells the merges above T (which carried those rows further) to forget them. S keeps its own
identifiers and key throughout, so nothing is decrypted or re-encrypted. The pair is then marked
rejected, so the next message carrying both customers' ids does not merge them again.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import datetime

from strongroom.collect.linking import merge_draft, move_history
from strongroom.core.clock import Clock
from strongroom.core.errors import ConflictError, NotFoundError
from strongroom.core.identity import (
    Merge,
    MergeReview,
    MoveKind,
    Provenance,
    ReviewStatus,
    root_of,
)
from strongroom.core.models import Actor, CustomerId
from strongroom.core.ports import AuditTrail, UnitOfWork, UnitOfWorkFactory
from strongroom.core.reasons import checked_reason as checked_text
from strongroom.core.trail import AuditAction, AuditDraft, Outcome

MAX_REASON_CHARS = 500


@dataclass(frozen=True, slots=True)
class Unmerged:
    """What undoing a merge gave back to the merged-away customer."""

    merge: Merge
    events: int
    orders: int
    consents: int


@dataclass(frozen=True, slots=True)
class IdentityService:
    """Merges and the review queue, for the operator (``strongroom customers ...``)."""

    uow_factory: UnitOfWorkFactory
    audit: AuditTrail
    clock: Clock

    def merges(self, *, limit: int = 100, active_only: bool = False) -> list[Merge]:
        """The newest merges, with their provenance."""
        with self.uow_factory() as uow:
            return uow.merges.list(limit=limit, active_only=active_only)

    def reviews(
        self, *, status: ReviewStatus | None = ReviewStatus.OPEN, limit: int = 100
    ) -> list[MergeReview]:
        """The newest held merges (open ones by default)."""
        with self.uow_factory() as uow:
            return uow.merge_reviews.list(status=status, limit=limit)

    def approve(self, *, actor: Actor, review_id: str, reason: str) -> Merge:
        """Merge the two customers of an open review; the older one survives."""
        reason = checked_reason(reason)
        now = self.clock.now()
        with self.uow_factory() as uow:
            review = _open_review(uow, review_id)
            a, b = _root(uow, review.customer_id), _root(uow, review.other_id)
            if a == b:
                raise ConflictError(
                    f"the customers of review {review_id} are one customer already; "
                    "reject the review instead"
                )
            found = uow.customers.get_many([a, b])
            survivor, merged = sorted((a, b), key=lambda c: (found[c].created_at, c))
            provenance = Provenance("review", actor.label, reason=reason)
            merge = Merge(str(uuid.uuid4()), merged, survivor, provenance, now, review_id=review.id)
            uow.merges.add([merge])
            moved = move_history(uow, merge)
            approved = _decided(
                review, ReviewStatus.APPROVED, actor, reason=reason, now=now, merge_id=merge.id
            )
            uow.merge_reviews.decide(approved)
            self.audit.record(uow, [merge_draft(merge, len(moved), actor.origin)])
            uow.commit()
        return merge

    def reject(self, *, actor: Actor, review_id: str, reason: str) -> MergeReview:
        """Keep the two customers of an open review apart; they are not proposed again."""
        reason = checked_reason(reason)
        with self.uow_factory() as uow:
            review = _open_review(uow, review_id)
            decided = _decided(
                review,
                ReviewStatus.REJECTED,
                actor,
                reason=reason,
                now=self.clock.now(),
                merge_id=None,
            )
            uow.merge_reviews.decide(decided)
            draft = _draft(
                actor, AuditAction.MERGE_REVIEW_REJECTED, review.customer_id, review.other_id
            )
            self.audit.record(uow, [replace(draft, detail={"review_id": review.id})])
            uow.commit()
        return decided

    def unmerge(self, *, actor: Actor, merge_id: str, reason: str) -> Unmerged:
        """Undo a merge: the merged-away customer gets back what the merge moved or routed."""
        reason = checked_reason(reason)
        now = self.clock.now()
        with self.uow_factory() as uow:
            merge = uow.merges.get(merge_id)
            if merge is None:
                raise NotFoundError(
                    f"no merge with id {merge_id!r}; `strongroom customers merges` lists them"
                )
            uow.merges.lock([merge.source_id, merge.target_id])
            if not merge.active:
                raise ConflictError(f"merge {merge_id} was undone already; nothing was changed")
            rows = _give_back(uow, merge)
            uow.merges.undo(merge.id, when=now, actor=actor.label, reason=reason)
            uow.merge_reviews.add([_unmerged_pair(merge, actor, reason, now)])
            draft = _draft(actor, AuditAction.CUSTOMERS_UNMERGED, merge.source_id, merge.target_id)
            detail: dict[str, str | int] = {"merge_id": merge.id}
            detail |= {f"{kind.value}s": len(ids) for kind, ids in rows.items()}
            self.audit.record(uow, [replace(draft, detail=detail)])
            uow.commit()
        undone = replace(merge, undone_at=now, undone_by=actor.label, undo_reason=reason)
        counts = [len(rows[kind]) for kind in (MoveKind.EVENT, MoveKind.ORDER, MoveKind.CONSENT)]
        return Unmerged(undone, *counts)


def _give_back(uow: UnitOfWork, merge: Merge) -> dict[MoveKind, list[str]]:
    rows: dict[MoveKind, list[str]] = defaultdict(list)
    for move in uow.merges.moves(merge.id):
        rows[move.kind].append(move.row_id)
    uow.events.reassign(rows[MoveKind.EVENT], merge.source_id)
    uow.orders.reassign(rows[MoveKind.ORDER], merge.source_id)
    uow.consents.reassign([int(i) for i in rows[MoveKind.CONSENT]], merge.source_id)
    above = [m.id for m in root_of(uow.merges, merge.target_id)]
    carried = [(kind, row) for kind, ids in rows.items() for row in ids]
    uow.merges.forget_moves(above, carried)
    return rows


def _root(uow: UnitOfWork, customer_id: CustomerId) -> CustomerId:
    if customer_id not in uow.customers.get_many([customer_id]):
        raise NotFoundError(f"no customer with id {customer_id!r}")
    uow.merges.lock([customer_id])
    path = root_of(uow.merges, customer_id)
    root = path[-1].target_id if path else customer_id
    uow.merges.lock([root])
    return root


def _open_review(uow: UnitOfWork, review_id: str) -> MergeReview:
    review = uow.merge_reviews.get(review_id)
    if review is None:
        raise NotFoundError(
            f"no review with id {review_id!r}; `strongroom customers reviews` lists them"
        )
    if review.status is not ReviewStatus.OPEN:
        raise ConflictError(
            f"review {review_id} was {review.status.value} already; nothing was changed"
        )
    return review


def _decided(
    review: MergeReview,
    status: ReviewStatus,
    actor: Actor,
    *,
    reason: str,
    now: datetime,
    merge_id: str | None,
) -> MergeReview:
    return replace(
        review,
        status=status,
        decided_at=now,
        decided_by=actor.label,
        decision_reason=reason,
        merge_id=merge_id,
    )


def _unmerged_pair(merge: Merge, actor: Actor, reason: str, now: datetime) -> MergeReview:
    provenance = Provenance("unmerge", actor.label, reason=reason)
    return MergeReview(
        id=str(uuid.uuid4()),
        customer_id=merge.target_id,
        other_id=merge.source_id,
        reason="unmerged",
        provenance=provenance,
        created_at=now,
        status=ReviewStatus.REJECTED,
        decided_at=now,
        decided_by=actor.label,
        decision_reason=reason,
        merge_id=merge.id,
    )


def _draft(actor: Actor, action: AuditAction, *customers: CustomerId) -> AuditDraft:
    # The stated reason stays out of the audit log (free text; kept with the merge instead).
    return AuditDraft(
        actor=actor.label,
        action=action,
        outcome=Outcome.SUCCESS,
        resource_type="customer",
        resource_ids=tuple(customers),
        purpose="administration",
        origin=actor.origin,
    )


def checked_reason(reason: str) -> str:
    """The stated reason, trimmed; refuses an empty, overlong or control-character one."""
    missing = "say why, e.g. --reason 'ticket 4411: one household, two logins'"
    return checked_text(reason, missing=missing, limit=MAX_REASON_CHARS)
