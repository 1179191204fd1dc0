"""A builder of audit entries for the detector tests: who did what, when, from where."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

import pytest

from strongroom.core.trail import AuditAction, AuditDraft, AuditEntry, Origin, Outcome

DAY0 = datetime(2026, 3, 2, tzinfo=UTC)  # a Monday


class Log:
    """Audit entries numbered 1, 2, ... in the order they are added (keep times ascending)."""

    def __init__(self) -> None:
        self.entries: list[AuditEntry] = []

    def add(
        self,
        actor: str,
        at: datetime,
        *,
        action: AuditAction = AuditAction.CUSTOMER_READ,
        ids: Iterable[str] = ("c-1",),
        classes: Iterable[str] = ("demographic",),
        outcome: Outcome = Outcome.SUCCESS,
        ip: str | None = None,
        agent: str | None = None,
        detail: dict[str, str | int] | None = None,
    ) -> AuditEntry:
        origin = Origin(ip, agent) if ip or agent else None
        draft = AuditDraft(
            actor=actor,
            action=action,
            outcome=outcome,
            resource_type="customer",
            resource_ids=tuple(ids),
            data_classes=tuple(classes),
            purpose="support",
            detail=detail or {},
            origin=origin,
        )
        seq = len(self.entries) + 1
        entry = AuditEntry(seq, at, draft, b"", b"")
        self.entries.append(entry)
        return entry

    def reads(self, actor: str, day: int, count: int, *, hour: int = 10, **kwargs: object) -> None:
        """``count`` reads of one distinct customer each on ``DAY0 + day``, a minute apart."""
        start = DAY0 + timedelta(days=day, hours=hour)
        for n in range(count):
            at = start + timedelta(seconds=20 * n)
            self.add(actor, at, ids=(f"{actor}-d{day}-{n}",), **kwargs)  # type: ignore[arg-type]

    def sorted(self) -> list[AuditEntry]:
        """The entries renumbered in time order (for logs built out of order)."""
        ordered = sorted(self.entries, key=lambda e: e.occurred_at)
        return [
            AuditEntry(n, e.occurred_at, e.draft, b"", b"") for n, e in enumerate(ordered, start=1)
        ]


@pytest.fixture
def log() -> Log:
    return Log()
