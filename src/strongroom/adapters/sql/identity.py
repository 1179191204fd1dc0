"""SQL repositories of identity resolution: merges, their moved rows, the review queue."""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, insert, or_, select, update
from sqlalchemy.engine import Connection, Row
from sqlalchemy.exc import OperationalError

from strongroom.adapters.paging import check_limit
from strongroom.adapters.sql._support import chunked, unique, write
from strongroom.adapters.sql.tables import customers
from strongroom.adapters.sql.tables_identity import (
    customer_merges,
    merge_heads,
    merge_moves,
    merge_reviews,
)
from strongroom.core.errors import ConflictError
from strongroom.core.identity import (
    Merge,
    MergeMove,
    MergeReview,
    MoveCause,
    MoveKind,
    Provenance,
    ReviewStatus,
)
from strongroom.core.models import CustomerId


def _provenance(row: Row[Any]) -> Provenance:
    return Provenance(
        rule=row.rule,
        actor=row.actor,
        source_id=row.collect_source_id,
        message_id=row.message_id,
        reason=getattr(row, "reason", None),
    )


def _merge(row: Row[Any]) -> Merge:
    return Merge(
        id=row.id,
        source_id=CustomerId(row.source_id),
        target_id=CustomerId(row.target_id),
        provenance=_provenance(row),
        created_at=row.created_at,
        review_id=row.review_id,
        undone_at=row.undone_at,
        undone_by=row.undone_by,
        undo_reason=row.undo_reason,
    )


class SqlMergeRepository:
    """Merges (kept after they are undone), the active pointer of each, and the moved rows."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def lock(self, customer_ids: Sequence[CustomerId]) -> None:
        # In id order, so that two batches locking overlapping sets queue instead of deadlocking
        # (SQLite ignores FOR UPDATE: its writers are serialised by BEGIN IMMEDIATE already).
        for chunk in chunked(sorted(set(customer_ids))):
            statement = (
                select(customers.c.id)
                .where(customers.c.id.in_(chunk))
                .order_by(customers.c.id)
                .with_for_update()
            )
            try:
                self._connection.execute(statement).all()
            except OperationalError as exc:
                raise ConflictError(
                    "a concurrent transaction holds these customers; retry the batch"
                ) from exc

    def add(self, merges: Sequence[Merge]) -> None:
        rows = [
            {
                "id": m.id,
                "source_id": m.source_id,
                "target_id": m.target_id,
                "rule": m.provenance.rule,
                "actor": m.provenance.actor,
                "collect_source_id": m.provenance.source_id,
                "message_id": m.provenance.message_id,
                "reason": m.provenance.reason,
                "review_id": m.review_id,
                "created_at": m.created_at,
                "undone_at": m.undone_at,
                "undone_by": m.undone_by,
                "undo_reason": m.undo_reason,
            }
            for m in merges
        ]
        write(self._connection, insert(customer_merges), rows)
        heads = [{"source_id": m.source_id, "merge_id": m.id} for m in merges if m.active]
        write(self._connection, insert(merge_heads), heads)

    def get(self, merge_id: str) -> Merge | None:
        statement = select(customer_merges).where(customer_merges.c.id == merge_id)
        row = self._connection.execute(statement).first()
        return None if row is None else _merge(row)

    def list(self, *, limit: int, active_only: bool = False) -> builtins.list[Merge]:
        check_limit(limit)
        statement = select(customer_merges)
        if active_only:
            statement = statement.where(customer_merges.c.undone_at.is_(None))
        statement = statement.order_by(
            customer_merges.c.created_at.desc(), customer_merges.c.id
        ).limit(limit)
        return [_merge(row) for row in self._connection.execute(statement)]

    def targets(self, customer_ids: Sequence[CustomerId]) -> dict[CustomerId, Merge]:
        found: dict[CustomerId, Merge] = {}
        for chunk in chunked(unique(customer_ids)):
            statement = (
                select(customer_merges)
                .join(merge_heads, merge_heads.c.merge_id == customer_merges.c.id)
                .where(merge_heads.c.source_id.in_(chunk))
            )
            for row in self._connection.execute(statement):
                merge = _merge(row)
                found[merge.source_id] = merge
        return found

    def merged_into(self, customer_ids: Sequence[CustomerId]) -> builtins.list[Merge]:
        found: list[Merge] = []
        for chunk in chunked(unique(customer_ids)):
            statement = (
                select(customer_merges)
                .join(merge_heads, merge_heads.c.merge_id == customer_merges.c.id)
                .where(customer_merges.c.target_id.in_(chunk))
                .order_by(customer_merges.c.id)
            )
            found.extend(_merge(row) for row in self._connection.execute(statement))
        return found

    def undo(self, merge_id: str, *, when: datetime, actor: str, reason: str) -> None:
        removed = self._connection.execute(
            delete(merge_heads).where(merge_heads.c.merge_id == merge_id)
        ).rowcount
        if removed != 1:
            raise ConflictError(f"merge {merge_id} is not active: it was undone already")
        self._connection.execute(
            update(customer_merges)
            .where(customer_merges.c.id == merge_id)
            .values(undone_at=when, undone_by=actor, undo_reason=reason)
        )

    def add_moves(self, moves: Sequence[MergeMove]) -> None:
        rows = [
            {"merge_id": m.merge_id, "kind": m.kind.value, "row_id": m.row_id, "cause": m.cause}
            for m in moves
        ]
        write(self._connection, insert(merge_moves), rows)

    def moves(self, merge_id: str) -> builtins.list[MergeMove]:
        statement = (
            select(merge_moves).where(merge_moves.c.merge_id == merge_id).order_by(merge_moves.c.id)
        )
        return [
            MergeMove(row.merge_id, MoveKind(row.kind), row.row_id, MoveCause(row.cause))
            for row in self._connection.execute(statement)
        ]

    def forget_moves(self, merge_ids: Sequence[str], rows: Sequence[tuple[MoveKind, str]]) -> None:
        if not merge_ids:
            return
        for chunk in chunked(unique(rows)):
            matches = [
                and_(merge_moves.c.kind == kind.value, merge_moves.c.row_id == row_id)
                for kind, row_id in chunk
            ]
            self._connection.execute(
                delete(merge_moves).where(
                    merge_moves.c.merge_id.in_(list(merge_ids)), or_(*matches)
                )
            )


def _review(row: Row[Any]) -> MergeReview:
    return MergeReview(
        id=row.id,
        customer_id=CustomerId(row.customer_id),
        other_id=CustomerId(row.other_id),
        reason=row.reason,
        provenance=Provenance(row.rule, row.actor, row.collect_source_id, row.message_id),
        created_at=row.created_at,
        status=ReviewStatus(row.status),
        decided_at=row.decided_at,
        decided_by=row.decided_by,
        decision_reason=row.decision_reason,
        merge_id=row.merge_id,
    )


class SqlMergeReviewRepository:
    """The queue of merges held for a person's decision."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def add(self, reviews: Sequence[MergeReview]) -> None:
        rows = []
        for r in reviews:
            low, high = r.pair
            rows.append(
                {
                    "id": r.id,
                    "customer_id": r.customer_id,
                    "other_id": r.other_id,
                    "pair_low": low,
                    "pair_high": high,
                    "reason": r.reason,
                    "rule": r.provenance.rule,
                    "actor": r.provenance.actor,
                    "collect_source_id": r.provenance.source_id,
                    "message_id": r.provenance.message_id,
                    "created_at": r.created_at,
                    "status": r.status.value,
                    "decided_at": r.decided_at,
                    "decided_by": r.decided_by,
                    "decision_reason": r.decision_reason,
                    "merge_id": r.merge_id,
                }
            )
        write(self._connection, insert(merge_reviews), rows)

    def get(self, review_id: str) -> MergeReview | None:
        statement = select(merge_reviews).where(merge_reviews.c.id == review_id)
        row = self._connection.execute(statement).first()
        return None if row is None else _review(row)

    def list(self, *, status: ReviewStatus | None, limit: int) -> builtins.list[MergeReview]:
        check_limit(limit)
        statement = select(merge_reviews)
        if status is not None:
            statement = statement.where(merge_reviews.c.status == status.value)
        statement = statement.order_by(merge_reviews.c.created_at.desc(), merge_reviews.c.id)
        return [_review(row) for row in self._connection.execute(statement.limit(limit))]

    def known_pairs(
        self, pairs: Sequence[tuple[CustomerId, CustomerId]]
    ) -> dict[tuple[CustomerId, CustomerId], ReviewStatus]:
        found: dict[tuple[CustomerId, CustomerId], ReviewStatus] = {}
        for chunk in chunked(unique(pairs)):
            matches = [
                and_(merge_reviews.c.pair_low == low, merge_reviews.c.pair_high == high)
                for low, high in chunk
            ]
            statement = (
                select(merge_reviews.c.pair_low, merge_reviews.c.pair_high, merge_reviews.c.status)
                .where(or_(*matches))
                .order_by(merge_reviews.c.created_at, merge_reviews.c.id)
            )
            for row in self._connection.execute(statement):
                pair = (CustomerId(row.pair_low), CustomerId(row.pair_high))
                found[pair] = ReviewStatus(row.status)  # the newest wins
        return found

    def decide(self, review: MergeReview) -> None:
        statement = (
            update(merge_reviews)
            .where(
                merge_reviews.c.id == review.id,
                merge_reviews.c.status == ReviewStatus.OPEN.value,
            )
            .values(
                status=review.status.value,
                decided_at=review.decided_at,
                decided_by=review.decided_by,
                decision_reason=review.decision_reason,
                merge_id=review.merge_id,
            )
        )
        if self._connection.execute(statement).rowcount != 1:
            raise ConflictError(f"review {review.id} was decided already; nothing was changed")
