"""Identity merges and the merge review queue: domain types and their repository ports.

A merge points one customer (the source, merged away) at another (the target, the survivor). The
source stays a record of its own: its identifiers and profile stay under its own subject key and
its id, so erasing the person shreds every key in the cluster, and undoing the merge moves back
only rows (events, orders, consents), never ciphertext. Each moved row is remembered per merge.
"""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol, TypeVar

from strongroom.core.models import CustomerId, IdentifierKind


class MoveKind(StrEnum):
    """The kinds of row a merge moves from one customer to another."""

    EVENT = "event"
    ORDER = "order"
    CONSENT = "consent"


class MoveCause(StrEnum):
    MERGED = "merged"  # the row was the source's when the merge happened
    ROUTED = "routed"  # it arrived later through one of the source's identifiers


class ReviewStatus(StrEnum):
    OPEN = "open"
    APPROVED = "approved"
    REJECTED = "rejected"


@dataclass(frozen=True, slots=True)
class Provenance:
    """What caused a merge or a review: the message and rule, or the person who acted, and why."""

    rule: str  # e.g. identify.anonymous_id, alias.previous_id, review, manual
    actor: str  # source:<name> for ingest, local:<user> or staff:<name> for people
    source_id: str | None = None  # the collecting source, for automatic ones
    message_id: str | None = None
    reason: str | None = None  # stated by the person who acted (never personal data)


@dataclass(frozen=True, slots=True)
class Merge:
    """One customer merged into another, and, once undone, who undid it and why."""

    id: str
    source_id: CustomerId  # merged away: keeps its own identifiers and key
    target_id: CustomerId  # the survivor: holds the history
    provenance: Provenance
    created_at: datetime
    review_id: str | None = None
    undone_at: datetime | None = None
    undone_by: str | None = None
    undo_reason: str | None = None

    @property
    def active(self) -> bool:
        return self.undone_at is None


@dataclass(frozen=True, slots=True)
class MergeMove:
    """A row a merge moved (or routed) to its target; undoing the merge moves it back."""

    merge_id: str
    kind: MoveKind
    row_id: str
    cause: MoveCause


@dataclass(frozen=True, slots=True)
class MergeReview:
    """Two customers that look like one person but may not be merged without a person's say."""

    id: str
    customer_id: CustomerId  # the customer the message was resolved to
    other_id: CustomerId  # the customer it would have been merged with
    reason: str  # different-user-ids, limit:<kind>
    provenance: Provenance
    created_at: datetime
    status: ReviewStatus = ReviewStatus.OPEN
    decided_at: datetime | None = None
    decided_by: str | None = None
    decision_reason: str | None = None
    merge_id: str | None = None

    @property
    def pair(self) -> tuple[CustomerId, CustomerId]:
        return pair_of(self.customer_id, self.other_id)


def pair_of(a: CustomerId, b: CustomerId) -> tuple[CustomerId, CustomerId]:
    """The unordered pair of two customers, in one canonical order."""
    return (a, b) if a <= b else (b, a)


RowId = TypeVar("RowId", str, int)


class MovableRows(Protocol[RowId]):
    """Rows that belong to a customer and move with merges (events, orders, consents)."""

    def ids_for_customer(self, customer_id: CustomerId) -> builtins.list[RowId]:
        """The ids of the customer's rows, in id order."""
        ...

    def reassign(self, ids: Sequence[RowId], customer_id: CustomerId) -> None:
        """Give these rows to another customer (identity merges and their undoing)."""
        ...


class IdentifierCounts(Protocol):
    def count_by_kind(
        self, customer_ids: Sequence[CustomerId]
    ) -> dict[CustomerId, dict[IdentifierKind, int]]:
        """Distinct identifiers of each kind held by each customer (any blind-index version)."""
        ...


class MergeRepository(Protocol):
    """Merges, their moved rows, and the row locks that keep concurrent merges apart."""

    def lock(self, customer_ids: Sequence[CustomerId]) -> None:
        """Lock these customers' rows until the transaction ends (ConflictError on deadlock)."""
        ...

    def add(self, merges: Sequence[Merge]) -> None: ...

    def get(self, merge_id: str) -> Merge | None: ...

    def list(self, *, limit: int, active_only: bool = False) -> list[Merge]:
        """The newest merges first."""
        ...

    def targets(self, customer_ids: Sequence[CustomerId]) -> dict[CustomerId, Merge]:
        """The active merge of each given customer that was merged away."""
        ...

    def merged_into(self, customer_ids: Sequence[CustomerId]) -> builtins.list[Merge]:
        """The active merges whose target is one of these customers."""
        ...

    def undo(self, merge_id: str, *, when: datetime, actor: str, reason: str) -> None:
        """Mark an active merge undone; ConflictError if it is not active."""
        ...

    def add_moves(self, moves: Sequence[MergeMove]) -> None: ...

    def moves(self, merge_id: str) -> builtins.list[MergeMove]: ...

    def forget_moves(self, merge_ids: Sequence[str], rows: Sequence[tuple[MoveKind, str]]) -> None:
        """Drop what these merges recorded of these rows (they went back to another customer)."""
        ...


class MergeReviewRepository(Protocol):
    """The queue of merges waiting for a person's decision."""

    def add(self, reviews: Sequence[MergeReview]) -> None: ...

    def get(self, review_id: str) -> MergeReview | None: ...

    def list(self, *, status: ReviewStatus | None, limit: int) -> list[MergeReview]:
        """The newest reviews first, of one status or all."""
        ...

    def known_pairs(
        self, pairs: Sequence[tuple[CustomerId, CustomerId]]
    ) -> dict[tuple[CustomerId, CustomerId], ReviewStatus]:
        """For each pair with a review, the status of its newest one."""
        ...

    def decide(self, review: MergeReview) -> None:
        """Store an open review's decision; ConflictError if it was decided already."""
        ...


def cluster_of(merges: MergeRepository, root: CustomerId) -> builtins.list[CustomerId]:
    """``root`` and every customer merged into it, directly or through others, root first."""
    members, frontier = [root], [root]
    while frontier:
        children = [m.source_id for m in merges.merged_into(frontier) if m.source_id not in members]
        members.extend(children)
        frontier = children
    return members


def root_of(merges: MergeRepository, customer_id: CustomerId) -> builtins.list[Merge]:
    """The active merges from ``customer_id`` up to the customer it now belongs to, in order."""
    path: builtins.list[Merge] = []
    current = customer_id
    while (merge := merges.targets([current]).get(current)) is not None:
        if any(m.source_id == merge.target_id for m in path) or len(path) > 64:
            break  # a cycle cannot be made by merging roots only; never loop on bad data
        path.append(merge)
        current = merge.target_id
    return path
