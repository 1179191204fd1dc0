"""An audit log on the in-memory fakes, with a clock the tests move and a signing key."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest

from strongroom.adapters.memory import MemoryUnitOfWorkFactory
from strongroom.audit.checkpointer import AuditCheckpointer, CheckpointPolicy
from strongroom.audit.service import AuditLog
from strongroom.core.errors import CheckpointExportError
from strongroom.core.trail import AuditAction, AuditDraft, Origin, Outcome
from strongroom.vault.keyring import KeyKind, Keyring


class MovingClock:
    def __init__(self) -> None:
        self.moment = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.moment

    def advance(self, seconds: float) -> None:
        self.moment += timedelta(seconds=seconds)


@dataclass
class ListSink:
    """A sink that keeps what it gets, or fails when told to."""

    name: str = "list://test"
    failing: bool = False
    received: list[tuple[int, str]] = field(default_factory=list)

    def publish(self, tree_size: int, document: str) -> None:
        if self.failing:
            raise CheckpointExportError(f"{self.name} is down")
        self.received.append((tree_size, document))

    @property
    def location(self) -> str:
        return self.name

    def exported(self) -> list[tuple[str, str]]:
        return [(f"{self.name}/{size}", document) for size, document in self.received]


@dataclass
class AuditWorld:
    factory: MemoryUnitOfWorkFactory
    clock: MovingClock
    audit: AuditLog
    keys: Keyring
    sink: ListSink
    checkpointer: AuditCheckpointer

    def record(self, count: int, *, start: int = 0) -> None:
        with self.factory() as uow:
            self.audit.record(uow, [draft(n) for n in range(start, start + count)])
            uow.commit()


def draft(n: int) -> AuditDraft:
    return AuditDraft(
        actor=f"staff:person{n % 4}",
        action=AuditAction.CUSTOMER_READ,
        outcome=Outcome.SUCCESS,
        resource_type="customer",
        resource_ids=(f"cust-{n}",),
        data_classes=("pii", "demographic"),
        purpose="support",
        origin=Origin("192.0.2.1", "curl/8", f"req-{n}") if n % 2 else None,
    )


@pytest.fixture
def world() -> AuditWorld:
    """An empty log whose checkpoints are due every 10 entries or 60 seconds."""
    factory, clock, sink = MemoryUnitOfWorkFactory(), MovingClock(), ListSink()
    audit = AuditLog(clock)
    keys = Keyring({KeyKind.AUDIT_SIGNING: {1: os.urandom(32)}})
    checkpointer = AuditCheckpointer(
        uow_factory=factory,
        audit=audit,
        keys=keys,
        clock=clock,
        sinks=[sink],
        policy=CheckpointPolicy(every_entries=10, every_seconds=60),
    )
    return AuditWorld(factory, clock, audit, keys, sink, checkpointer)
