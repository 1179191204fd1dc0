"""Incident response on the in-memory fakes, with a clock the tests move and a signing key."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from strongroom.adapters.memory import MemoryUnitOfWorkFactory
from strongroom.audit.checkpointer import AuditCheckpointer
from strongroom.audit.service import AuditLog
from strongroom.core.models import Actor, CustomerId, PrincipalKind
from strongroom.core.monitoring import Alert, AlertStatus, Severity
from strongroom.core.ports import UnitOfWork
from strongroom.core.trail import AuditAction, AuditDraft, Outcome
from strongroom.respond.investigation import BlastRadiusService
from strongroom.respond.places import Place
from strongroom.respond.service import IncidentService
from strongroom.vault.keyring import KeyKind, Keyring

T0 = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)
RESPONDER = Actor(PrincipalKind.STAFF, "rita", "security", "p-rita")


class MovingClock:
    def __init__(self) -> None:
        self.moment = T0

    def now(self) -> datetime:
        return self.moment

    def advance(self, **delta: float) -> None:
        self.moment += timedelta(**delta)


class FixedPlaces:
    """Places by customer id, as a test sets them (no vault needed)."""

    def __init__(self, places: dict[str, Place]) -> None:
        self.by_id = places

    def places(self, uow: UnitOfWork, ids: list[CustomerId]) -> dict[CustomerId, Place]:
        return {c: self.by_id[c] for c in ids if c in self.by_id}


@dataclass
class World:
    factory: MemoryUnitOfWorkFactory
    clock: MovingClock
    audit: AuditLog
    incidents: IncidentService
    checkpointer: AuditCheckpointer
    places: FixedPlaces

    def record(self, *drafts: AuditDraft) -> None:
        with self.factory() as uow:
            self.audit.record(uow, list(drafts))
            uow.commit()

    def blast(self) -> BlastRadiusService:
        return BlastRadiusService(
            uow_factory=self.factory,
            reader=self.factory,
            audit=self.audit,
            places=self.places,
            incidents=self.incidents,
            checkpoint=self._checkpoint,
        )

    def _checkpoint(self, actor: Actor) -> None:
        self.checkpointer.checkpoint(actor=actor)


def act(
    actor: str,
    action: AuditAction,
    ids: tuple[str, ...] = (),
    classes: tuple[str, ...] = ("pii",),
    resource_type: str = "customer",
) -> AuditDraft:
    return AuditDraft(
        actor=actor,
        action=action,
        outcome=Outcome.SUCCESS,
        resource_type=resource_type,
        resource_ids=ids,
        data_classes=classes,
        purpose="support",
    )


def canary_alert() -> Alert:
    """An open critical alert: ``staff:mallory`` read a canary customer at ``T0``."""
    return Alert(
        id="a1",
        fingerprint="f" * 64,
        detector="honeytoken_access",
        severity=Severity.CRITICAL,
        status=AlertStatus.OPEN,
        principal="staff:mallory",
        signal="honeytoken_read",
        summary="a canary customer was read",
        explanation={},
        first_seen=T0,
        last_seen=T0,
        count=1,
    )


@pytest.fixture
def world() -> World:
    factory, clock = MemoryUnitOfWorkFactory(), MovingClock()
    audit = AuditLog(clock)
    keys = Keyring({KeyKind.AUDIT_SIGNING: {1: os.urandom(32)}})
    checkpointer = AuditCheckpointer(uow_factory=factory, audit=audit, keys=keys, clock=clock)
    incidents = IncidentService(uow_factory=factory, audit=audit, clock=clock)
    return World(factory, clock, audit, incidents, checkpointer, FixedPlaces({}))
