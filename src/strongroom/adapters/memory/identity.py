"""In-memory fakes of the identity repositories: merges, moved rows, the review queue."""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from strongroom.adapters.memory.store import Staging, as_utc, check_new
from strongroom.adapters.paging import check_limit
from strongroom.core.errors import ConflictError
from strongroom.core.identity import (
    Merge,
    MergeMove,
    MergeReview,
    MoveKind,
    ReviewStatus,
)
from strongroom.core.models import CustomerId, IdentifierKind


class MemoryMergeRepository:
    """Fake of MergeRepository (the store's lock already serialises units of work)."""

    def __init__(self, staging: Staging) -> None:
        self._staging = staging

    def lock(self, customer_ids: Sequence[CustomerId]) -> None:
        return None

    def add(self, merges: Sequence[Merge]) -> None:
        store = self._staging.store
        check_new(store.merges, (m.id for m in merges), "merge id")
        active = {m.source_id for m in store.merges.values() if m.active}
        check_new(active, (m.source_id for m in merges if m.active), "active merge")
        store.merges.update((m.id, as_utc(m)) for m in merges)

    def get(self, merge_id: str) -> Merge | None:
        return self._staging.store.merges.get(merge_id)

    def list(self, *, limit: int, active_only: bool = False) -> builtins.list[Merge]:
        check_limit(limit)
        found = [m for m in self._staging.store.merges.values() if m.active or not active_only]
        found.sort(key=lambda m: m.id)
        found.sort(key=lambda m: m.created_at, reverse=True)
        return found[:limit]

    def targets(self, customer_ids: Sequence[CustomerId]) -> dict[CustomerId, Merge]:
        wanted = set(customer_ids)
        merges = self._staging.store.merges.values()
        return {m.source_id: m for m in merges if m.active and m.source_id in wanted}

    def merged_into(self, customer_ids: Sequence[CustomerId]) -> builtins.list[Merge]:
        wanted = set(customer_ids)
        merges = self._staging.store.merges.values()
        return sorted((m for m in merges if m.active and m.target_id in wanted), key=lambda m: m.id)

    def undo(self, merge_id: str, *, when: datetime, actor: str, reason: str) -> None:
        merge = self._staging.store.merges.get(merge_id)
        if merge is None or not merge.active:
            raise ConflictError(f"merge {merge_id} is not active: it was undone already")
        undone = replace(merge, undone_at=when, undone_by=actor, undo_reason=reason)
        self._staging.store.merges[merge_id] = as_utc(undone)

    def add_moves(self, moves: Sequence[MergeMove]) -> None:
        self._staging.store.merge_moves.extend(moves)

    def moves(self, merge_id: str) -> builtins.list[MergeMove]:
        return [m for m in self._staging.store.merge_moves if m.merge_id == merge_id]

    def forget_moves(self, merge_ids: Sequence[str], rows: Sequence[tuple[MoveKind, str]]) -> None:
        merges, wanted = set(merge_ids), set(rows)
        self._staging.store.merge_moves[:] = [
            m
            for m in self._staging.store.merge_moves
            if not (m.merge_id in merges and (m.kind, m.row_id) in wanted)
        ]


class MemoryMergeReviewRepository:
    """Fake of MergeReviewRepository."""

    def __init__(self, staging: Staging) -> None:
        self._staging = staging

    def add(self, reviews: Sequence[MergeReview]) -> None:
        stored = self._staging.store.merge_reviews
        check_new(stored, (r.id for r in reviews), "review id")
        stored.update((r.id, as_utc(r)) for r in reviews)

    def get(self, review_id: str) -> MergeReview | None:
        return self._staging.store.merge_reviews.get(review_id)

    def list(self, *, status: ReviewStatus | None, limit: int) -> builtins.list[MergeReview]:
        check_limit(limit)
        stored = self._staging.store.merge_reviews.values()
        found = sorted((r for r in stored if status in (None, r.status)), key=lambda r: r.id)
        found.sort(key=lambda r: r.created_at, reverse=True)
        return found[:limit]

    def known_pairs(
        self, pairs: Sequence[tuple[CustomerId, CustomerId]]
    ) -> dict[tuple[CustomerId, CustomerId], ReviewStatus]:
        wanted = set(pairs)
        stored = sorted(self._staging.store.merge_reviews.values(), key=lambda r: r.created_at)
        return {r.pair: r.status for r in stored if r.pair in wanted}

    def decide(self, review: MergeReview) -> None:
        stored = self._staging.store.merge_reviews
        current = stored.get(review.id)
        if current is None or current.status is not ReviewStatus.OPEN:
            raise ConflictError(f"review {review.id} was decided already; nothing was changed")
        stored[review.id] = as_utc(review)


class EventMoves:
    """MovableRows of the events fake."""

    _staging: Staging

    def ids_for_customer(self, customer_id: CustomerId) -> list[str]:
        stored = self._staging.store.events
        return sorted(i for i, row in stored.items() if row.customer_id == customer_id)

    def reassign(self, ids: Sequence[str], customer_id: CustomerId) -> None:
        stored = self._staging.store.events
        stored.update((i, replace(stored[i], customer_id=customer_id)) for i in ids if i in stored)


class OrderMoves:
    """MovableRows of the orders fake."""

    _staging: Staging

    def ids_for_customer(self, customer_id: CustomerId) -> list[str]:
        stored = self._staging.store.orders
        return sorted(i for i, row in stored.items() if row.customer_id == customer_id)

    def reassign(self, ids: Sequence[str], customer_id: CustomerId) -> None:
        stored = self._staging.store.orders
        stored.update((i, replace(stored[i], customer_id=customer_id)) for i in ids if i in stored)


class ConsentMoves:
    """MovableRows of the consents fake: the list is append-only, so a position is an id."""

    _staging: Staging

    def ids_for_customer(self, customer_id: CustomerId) -> list[int]:
        stored = self._staging.store.consents
        return [i for i, c in enumerate(stored) if c.customer_id == customer_id]

    def reassign(self, ids: Sequence[int], customer_id: CustomerId) -> None:
        stored = self._staging.store.consents
        for i in ids:
            stored[i] = replace(stored[i], customer_id=customer_id)


class IdentifierCounts:
    """count_by_kind of the identifiers fake, counting like the SQL adapter."""

    _staging: Staging

    def count_by_kind(
        self, customer_ids: Sequence[CustomerId]
    ) -> dict[CustomerId, dict[IdentifierKind, int]]:
        wanted = set(customer_ids)
        stored = self._staging.store.identifiers.values()
        distinct = {
            (i.customer_id, i.kind, i.ciphertext) for i in stored if i.customer_id in wanted
        }
        counts: dict[CustomerId, dict[IdentifierKind, int]] = {}
        for customer_id, kind, _ in distinct:
            mine = counts.setdefault(customer_id, {})
            mine[kind] = mine.get(kind, 0) + 1
        return counts
