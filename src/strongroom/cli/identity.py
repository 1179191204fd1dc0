"""``strongroom customers merges | merge | unmerge | reviews | reject-merge``: identity merges."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from strongroom.cli.context import local_actor, open_app
from strongroom.cli.customers import customers_app
from strongroom.cli.output import console, emit_json, emit_table
from strongroom.collect.merges import Unmerged
from strongroom.core.errors import InvalidInputError
from strongroom.core.identity import Merge, MergeReview, ReviewStatus

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]
ReasonOption = Annotated[
    str, typer.Option(help="Why, e.g. a ticket reference; kept with the merge; no personal data")
]
LimitOption = Annotated[int, typer.Option(min=1, max=1000, help="How many, newest first")]


@customers_app.command("merges")
def customers_merges(
    active: Annotated[bool, typer.Option(help="Only merges not undone")] = False,
    limit: LimitOption = 100,
    as_json: JsonOption = False,
) -> None:
    """List merges with their provenance: rule, source, message, who and when."""
    with open_app() as app:
        merges = app.identity.merges(limit=limit, active_only=active)
    if as_json:
        emit_json([merge_json(m) for m in merges])
        return
    rows = [
        (
            m.id,
            m.source_id,
            m.target_id,
            m.provenance.rule,
            m.provenance.actor,
            m.provenance.message_id or "",
            f"{m.created_at:%Y-%m-%d %H:%M}",
            f"undone {m.undone_at:%Y-%m-%d %H:%M}" if m.undone_at else "active",
        )
        for m in merges
    ]
    columns = ["merge", "merged away", "into", "rule", "by", "message", "when", "state"]
    emit_table("Merges", columns, rows)


@customers_app.command("reviews")
def customers_reviews(
    status: Annotated[
        str, typer.Option(help="open, approved, rejected or all")
    ] = ReviewStatus.OPEN.value,
    limit: LimitOption = 100,
    as_json: JsonOption = False,
) -> None:
    """List merges held for review (two user ids, or a per-type limit reached)."""
    chosen = None if status == "all" else _status(status)
    with open_app() as app:
        reviews = app.identity.reviews(status=chosen, limit=limit)
    if as_json:
        emit_json([review_json(r) for r in reviews])
        return
    rows = [
        (
            r.id,
            r.customer_id,
            r.other_id,
            r.reason,
            r.provenance.rule,
            r.provenance.actor,
            f"{r.created_at:%Y-%m-%d %H:%M}",
            r.status.value,
        )
        for r in reviews
    ]
    columns = ["review", "customer", "other", "reason", "rule", "by", "when", "status"]
    emit_table("Merge reviews", columns, rows)


@customers_app.command("merge")
def customers_merge(
    review: Annotated[str, typer.Option(help="The review to approve (`customers reviews`)")],
    reason: ReasonOption,
    as_json: JsonOption = False,
) -> None:
    """Approve a held merge: the two customers become one; the older survives."""
    with open_app() as app:
        merge = app.identity.approve(actor=local_actor(), review_id=review, reason=reason)
    _report(
        as_json,
        merge_json(merge),
        f"[green]Merged[/] {merge.source_id} into {merge.target_id} (merge {merge.id})",
        f"  undo it with `strongroom customers unmerge {merge.id} --reason ...`",
    )


@customers_app.command("reject-merge")
def customers_reject_merge(
    review_id: Annotated[str, typer.Argument(help="The review to reject")],
    reason: ReasonOption,
    as_json: JsonOption = False,
) -> None:
    """Reject a held merge: the two customers stay apart and are not proposed again."""
    with open_app() as app:
        decided = app.identity.reject(actor=local_actor(), review_id=review_id, reason=reason)
    text = f"[green]Rejected[/] review {decided.id}: the customers stay apart"
    _report(as_json, review_json(decided), text)


@customers_app.command("unmerge")
def customers_unmerge(
    merge_id: Annotated[str, typer.Argument(help="The merge to undo (`customers merges`)")],
    reason: ReasonOption,
    as_json: JsonOption = False,
) -> None:
    """Undo a merge: the merged-away customer gets back its events, orders and consents."""
    with open_app() as app:
        done = app.identity.unmerge(actor=local_actor(), merge_id=merge_id, reason=reason)
    merge = done.merge
    text = (
        f"[green]Unmerged[/] {merge.source_id} from {merge.target_id}: gave back "
        f"{done.events} events, {done.orders} orders, {done.consents} consents"
    )
    _report(as_json, _unmerged_json(done), text)


def _report(as_json: bool, payload: dict[str, Any], *lines: str) -> None:
    """The payload as JSON for scripts, or the lines for people."""
    if as_json:
        emit_json(payload)
        return
    for line in lines:
        console.print(line)


def _status(text: str) -> ReviewStatus:
    try:
        return ReviewStatus(text)
    except ValueError:
        raise InvalidInputError(
            f"--status {text!r} is not one of open, approved, rejected, all"
        ) from None


def merge_json(merge: Merge) -> dict[str, Any]:
    p = merge.provenance
    return {
        "id": merge.id,
        "source_id": merge.source_id,
        "target_id": merge.target_id,
        "rule": p.rule,
        "actor": p.actor,
        "collect_source_id": p.source_id,
        "message_id": p.message_id,
        "reason": p.reason,
        "review_id": merge.review_id,
        "created_at": merge.created_at.isoformat(),
        "active": merge.active,
        "undone_at": merge.undone_at.isoformat() if merge.undone_at else None,
        "undone_by": merge.undone_by,
        "undo_reason": merge.undo_reason,
    }


def review_json(review: MergeReview) -> dict[str, Any]:
    p = review.provenance
    return {
        "id": review.id,
        "customer_id": review.customer_id,
        "other_id": review.other_id,
        "reason": review.reason,
        "rule": p.rule,
        "actor": p.actor,
        "collect_source_id": p.source_id,
        "message_id": p.message_id,
        "created_at": review.created_at.isoformat(),
        "status": review.status.value,
        "decided_at": review.decided_at.isoformat() if review.decided_at else None,
        "decided_by": review.decided_by,
        "decision_reason": review.decision_reason,
        "merge_id": review.merge_id,
    }


def _unmerged_json(done: Unmerged) -> dict[str, Any]:
    return {
        "merge": merge_json(done.merge),
        "events": done.events,
        "orders": done.orders,
        "consents": done.consents,
    }
