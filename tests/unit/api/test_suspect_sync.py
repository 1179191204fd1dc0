"""The server's suspect sync: one pass copies, a failing pass is logged and the loop goes on."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime

import pytest

from strongroom.adapters.memory import MemoryUnitOfWorkFactory
from strongroom.api.suspect_sync import sync_quietly, sync_suspects_forever
from strongroom.audit.service import AuditLog
from strongroom.core.errors import ConfigurationError
from strongroom.core.models import Actor, PrincipalKind
from strongroom.core.monitoring import Severity
from strongroom.core.trail import AuditAction, AuditDraft, Outcome
from strongroom.respond.service import IncidentService
from strongroom.respond.suspects import SuspectWatcher

RESPONDER = Actor(PrincipalKind.STAFF, "rita", "security")


class Clock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class _Failing:
    def __init__(self, error: Exception) -> None:
        self.error = error

    def sync_open(self) -> None:
        raise self.error


def _watched_world() -> tuple[SuspectWatcher, IncidentService]:
    factory, audit = MemoryUnitOfWorkFactory(), AuditLog(Clock())
    incidents = IncidentService(uow_factory=factory, audit=audit, clock=Clock())
    incidents.open_incident(
        actor=RESPONDER, title="x", severity=Severity.HIGH, principals=["staff:ann"]
    )
    read = AuditDraft("staff:ann", AuditAction.CUSTOMER_READ, Outcome.SUCCESS, "customer", ("c",))
    with factory() as uow:
        audit.record(uow, [read])
        uow.commit()
    return SuspectWatcher(uow_factory=factory, incidents=incidents), incidents


def test_one_pass_copies_the_suspects_new_entries() -> None:
    watcher, _ = _watched_world()
    assert sync_quietly(watcher) == 1
    assert sync_quietly(watcher) == 0


def test_the_loop_runs_passes_until_cancelled() -> None:
    watcher, incidents = _watched_world()

    async def run_briefly() -> None:
        task = asyncio.create_task(sync_suspects_forever(watcher, interval=0.01))
        await asyncio.sleep(0.2)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(run_briefly())
    [incident] = incidents.list_incidents()
    assert [e.draft.kind.value for e in incidents.show(incident.id).timeline] == [
        "opened",
        "audit",
    ]


@pytest.mark.parametrize(
    ("error", "logged"),
    [
        (ConfigurationError("the database is gone"), "the database is gone"),
        (RuntimeError("secret detail"), "failed unexpectedly: RuntimeError"),
    ],
)
def test_a_failed_pass_is_logged_and_the_loop_goes_on(
    caplog: pytest.LogCaptureFixture, error: Exception, logged: str
) -> None:
    with caplog.at_level(logging.ERROR, logger="strongroom.incidents"):
        assert sync_quietly(_Failing(error)) == 0  # type: ignore[arg-type]
    assert logged in caplog.text
    assert "secret detail" not in caplog.text
