"""Volume limits: customer records one principal may read or export an hour, per role.

Counted in the operational store (one upsert per request, in the request's own transaction), so
the count survives restarts and holds across workers. Going over it refuses the request with 429
``volume_limited``, rolls the request back, and audits ``access.volume_exceeded``, which the
monitor's volume-limit detector turns into an alert.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from strongroom.access.policy import role_named
from strongroom.core.errors import VolumeLimitedError
from strongroom.core.models import Actor
from strongroom.core.ports import AuditTrail, UnitOfWork, UnitOfWorkFactory
from strongroom.core.trail import AuditAction, AuditDraft, Outcome

HOUR = timedelta(hours=1)


def window_start(now: datetime) -> datetime:
    """The start of the clock hour ``now`` falls in: the counting window."""
    return now.replace(minute=0, second=0, microsecond=0)


def charge(uow: UnitOfWork, *, actor: Actor, records: int, now: datetime) -> int | None:
    """Count ``records`` against the actor's hourly cap; the cap if this goes over it, else None.

    Roles without a cap are not counted at all."""
    limit = role_named(actor.role or "").volume_per_hour if actor.role else None
    if limit is None or records <= 0:
        return None
    total = uow.policy.charge_volume(actor.label, window_start(now), records)
    return limit if total > limit else None


def refusal(
    *, uow_factory: UnitOfWorkFactory, audit: AuditTrail, actor: Actor, limit: int, now: datetime
) -> VolumeLimitedError:
    """Audit the refusal (its own transaction: the request itself is rolled back) and the error
    to raise, with the seconds until the next window."""
    draft = AuditDraft(
        actor=actor.label,
        action=AuditAction.VOLUME_EXCEEDED,
        outcome=Outcome.DENIED,
        resource_type="customer",
        detail={"limit_per_hour": limit, "role": actor.role or ""},
        origin=actor.origin,
    )
    with uow_factory() as uow:
        audit.record(uow, [draft])
        uow.commit()
    wait = math.ceil((window_start(now) + HOUR - now).total_seconds())
    return VolumeLimitedError(
        f"the {actor.role} role may read or export {limit} customer records an hour, and this "
        "principal has reached it; wait for the next hour or ask for a higher limit",
        retry_after=max(wait, 1),
    )
