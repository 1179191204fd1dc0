"""Training as a gate: PII permissions need security training within the policy's window and
the acknowledgement of the policy version in force.

Every staff actor is held to it, however it was made: the records are looked up by the actor's
name, so a staff actor that names no person (no records can exist for an unknown name) is untrained
and the gate fails closed. Machine principals have no training: their scopes, networks and expiry
limit them. The local operator holds the root passphrase and could read the store directly, so a
gate would add nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from strongroom.access.policyfile import active_policy
from strongroom.core.clock import Clock
from strongroom.core.errors import InvalidInputError, NotFoundError
from strongroom.core.models import Actor, PrincipalKind
from strongroom.core.policy import TrainingKind, TrainingRecord
from strongroom.core.ports import AuditTrail, UnitOfWork, UnitOfWorkFactory
from strongroom.core.trail import AuditAction, AuditDraft, Outcome


@dataclass(frozen=True, slots=True)
class TrainingStatus:
    principal: str
    security_training_at: datetime | None
    security_training_current: bool
    acknowledged_version: str | None
    policy_acknowledged: bool

    @property
    def current(self) -> bool:
        return self.security_training_current and self.policy_acknowledged


def training_status(
    principal: str, records: Sequence[TrainingRecord], *, now: datetime
) -> TrainingStatus:
    """Whether ``principal``'s newest training is recent enough and the policy acknowledged."""
    policy = active_policy()
    trained = [r.completed_at for r in records if r.kind is TrainingKind.SECURITY_TRAINING]
    latest = max(trained, default=None)
    acks = [r for r in records if r.kind is TrainingKind.POLICY_ACK]
    version = max(acks, key=lambda r: r.completed_at).policy_version if acks else None
    window = timedelta(days=policy.training_max_age_days)
    fresh = latest is not None and timedelta(0) <= now - latest <= window
    return TrainingStatus(
        principal,
        latest,
        fresh,
        version,
        any(r.policy_version == policy.version for r in acks),
    )


def held_to_training(actor: Actor) -> bool:
    """Whether the training gate applies to ``actor``: to every staff actor, with or without a
    stored principal id (failing closed for one that authentication did not make)."""
    return actor.kind is PrincipalKind.STAFF


def is_trained(uow: UnitOfWork, actor: Actor, now: datetime) -> bool:
    """True for actors outside the gate; else whether the training of the person named like the
    actor is current (``TrainingBook`` keeps records only for existing people, so a staff actor
    that matches no person has none and is untrained)."""
    if not held_to_training(actor):
        return True
    return training_status(actor.name, uow.policy.training(actor.name), now=now).current


@dataclass(frozen=True, slots=True)
class TrainingBook:
    """Keeps the training records: ``strongroom staff training record|status``."""

    uow_factory: UnitOfWorkFactory
    audit: AuditTrail
    clock: Clock

    def record(
        self,
        *,
        actor: Actor,
        name: str,
        kind: TrainingKind,
        policy_version: str | None = None,
        completed_at: datetime | None = None,
    ) -> TrainingRecord:
        """Record that ``name`` completed training or acknowledged a policy version."""
        now = self.clock.now()
        when = completed_at or now
        if when > now:
            raise InvalidInputError("--completed-at lies in the future; give the day it happened")
        if kind is TrainingKind.POLICY_ACK:
            policy_version = policy_version or active_policy().version
        elif policy_version is not None:
            raise InvalidInputError("--policy-version goes with --kind policy-ack only")
        record = TrainingRecord(name, kind, when, actor.label, policy_version)
        with self.uow_factory() as uow:
            if uow.principals.by_name(name) is None:
                raise NotFoundError(f"no person named {name!r}; create them with staff create")
            uow.policy.add_training(record)
            self.audit.record(uow, [_draft(actor, record)])
            uow.commit()
        return record

    def status(self, name: str | None = None) -> list[TrainingStatus]:
        """Each person's training status (one person's if ``name`` is given)."""
        now = self.clock.now()
        with self.uow_factory() as uow:
            if name is not None:
                if uow.principals.by_name(name) is None:
                    raise NotFoundError(f"no person named {name!r}")
                names = [name]
            else:
                names = [person.name for person in uow.staff.people()]
            records = uow.policy.training()
        return [
            training_status(n, [r for r in records if r.principal == n], now=now) for n in names
        ]


def _draft(actor: Actor, record: TrainingRecord) -> AuditDraft:
    detail: dict[str, str | int] = {
        "kind": record.kind.value,
        "completed_at": record.completed_at.isoformat(),
    }
    if record.policy_version is not None:
        detail["policy_version"] = record.policy_version
    return AuditDraft(
        actor=actor.label,
        action=AuditAction.TRAINING_RECORDED,
        outcome=Outcome.SUCCESS,
        resource_type="staff",
        resource_ids=(record.principal,),
        detail=detail,
        origin=actor.origin,
    )
