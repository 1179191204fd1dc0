"""Retention over HTTP: count, or delete, what is past its retention period per data class.

A dry run (the default) needs ``privacy.manage``; a real run deletes personal data for good and
needs ``customers.erase``. Either is audited as ``retention.run`` with the cutoffs and counts.
"""

from __future__ import annotations

from fastapi import APIRouter

from strongroom.api.deps import AppDep, CurrentActor, Purpose
from strongroom.api.routes.privacy_models import RetentionRuleOut, RetentionRunIn, RetentionRunOut

router = APIRouter(prefix="/api/v1/retention", tags=["privacy"])

_DRY_RUN = RetentionRunIn()  # the body when none is sent (the model is frozen)


@router.post("/run")
def run_retention(
    app: AppDep,
    actor: CurrentActor,
    body: RetentionRunIn = _DRY_RUN,
    purpose: Purpose = None,
) -> RetentionRunOut:
    """Per rule: the cutoff, the records past it and (unless a dry run) how many were deleted."""
    dry_run = body.dry_run
    counts = app.privacy.retention.run_for_staff(
        actor=actor, rules=app.privacy.rules, dry_run=dry_run, purpose=purpose
    )
    return RetentionRunOut(
        dry_run=dry_run, rules=[RetentionRuleOut.from_count(count) for count in counts]
    )
