"""The incident and containment repositories behave alike on the fakes, SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from strongroom.core.errors import ConflictError, NotFoundError
from strongroom.core.incidents import (
    ExportFreeze,
    Incident,
    IncidentRole,
    IncidentStatus,
    IncidentTask,
    RoleAssignment,
    SuspectAct,
    SuspectWatch,
    TaskStatus,
    TimelineDraft,
    TimelineKind,
)
from strongroom.core.models import ApiToken, Channel, Principal, Source, WriteKey
from strongroom.core.monitoring import Severity
from strongroom.core.trail import AuditAction, AuditEntry, Outcome

from .conftest import T0


def _incident(n: int, **changes: object) -> Incident:
    incident = Incident(
        id=f"00000000-0000-0000-0000-{n:012d}",
        title=f"incident {n}",
        severity=Severity.HIGH,
        status=IncidentStatus.TRIAGE,
        opened_at=T0 + timedelta(hours=n),
        opened_by="staff:rita",
        aware_at=T0,
        updated_at=T0,
        principals=("staff:ann", "source:web"),
    )
    return replace(incident, **changes)  # type: ignore[arg-type]


def test_an_incident_comes_back_as_stored_and_updates(uow_factory) -> None:
    first = _incident(1, alert_id="a-1")
    with uow_factory() as uow:
        uow.incidents.add(first)
        uow.incidents.add(_incident(2, status=IncidentStatus.CLOSED, closed_at=T0))
        uow.commit()
    with uow_factory() as uow:
        assert uow.incidents.get(first.id) == first
        assert uow.incidents.by_alert("a-1") == first
        assert uow.incidents.get("missing") is None
        assert [i.id for i in uow.incidents.list()] == [_incident(2).id, first.id]
        assert [i.id for i in uow.incidents.list(status=IncidentStatus.TRIAGE)] == [first.id]
        moved = replace(first, status=IncidentStatus.CONTAINMENT, updated_at=T0 + timedelta(1))
        uow.incidents.update(moved)
        uow.commit()
    with uow_factory() as uow:
        assert uow.incidents.get(first.id) == moved
        with pytest.raises(NotFoundError):
            uow.incidents.update(_incident(9))


def test_an_incident_id_or_alert_cannot_be_added_twice(uow_factory) -> None:
    with uow_factory() as uow:
        uow.incidents.add(_incident(1, alert_id="a-1"))
        uow.commit()
    with uow_factory() as uow, pytest.raises(ConflictError):
        uow.incidents.add(_incident(1))
    with uow_factory() as uow, pytest.raises(ConflictError):
        uow.incidents.add(_incident(2, alert_id="a-1"))


def test_roles_replace_and_tasks_update(uow_factory) -> None:
    incident = _incident(1)
    task = IncidentTask("t-1", incident.id, "call the bank", TaskStatus.OPEN, T0, "sam")
    with uow_factory() as uow:
        uow.incidents.add(incident)
        uow.incidents.assign(RoleAssignment(incident.id, IncidentRole.SCRIBE, "sam", T0))
        uow.incidents.assign(RoleAssignment(incident.id, IncidentRole.COMMANDER, "ann", T0))
        uow.incidents.assign(RoleAssignment(incident.id, IncidentRole.COMMANDER, "rita", T0))
        uow.incidents.add_task(task)
        uow.commit()
    done = replace(task, status=TaskStatus.DONE, done_at=T0)
    with uow_factory() as uow:
        roles = uow.incidents.roles(incident.id)
        assert [(a.role, a.assignee) for a in roles] == [
            (IncidentRole.COMMANDER, "rita"),
            (IncidentRole.SCRIBE, "sam"),
        ]
        uow.incidents.update_task(done)
        with pytest.raises(NotFoundError):
            uow.incidents.update_task(replace(task, incident_id="other"))
        uow.commit()
    with uow_factory() as uow:
        assert uow.incidents.tasks(incident.id) == [done]


def test_the_timeline_appends_in_order_and_keeps_details(uow_factory) -> None:
    incident = _incident(1)
    drafts = [
        TimelineDraft(incident.id, T0, TimelineKind.NOTE, "staff:rita", "one", {"n": 1}, 7),
        TimelineDraft(incident.id, T0, TimelineKind.ACTION, "staff:rita", "two", {}, None),
    ]
    with uow_factory() as uow:
        uow.incidents.add(incident)
        first = uow.incidents.append(drafts[:1])
        second = uow.incidents.append(drafts[1:])
        uow.commit()
    assert second[0].id > first[0].id
    with uow_factory() as uow:
        assert [e.draft for e in uow.incidents.timeline(incident.id)] == drafts
        assert uow.incidents.timeline("other") == []


def test_the_export_freeze_is_one_flag(uow_factory) -> None:
    with uow_factory() as uow:
        assert uow.incidents.export_freeze() is None
        uow.incidents.freeze_exports(ExportFreeze("i-1", "staff:rita", T0))
        uow.incidents.freeze_exports(ExportFreeze("i-2", "staff:sam", T0))
        uow.commit()
    with uow_factory() as uow:
        assert uow.incidents.export_freeze() == ExportFreeze("i-2", "staff:sam", T0)
        uow.incidents.thaw_exports()
        uow.commit()
    with uow_factory() as uow:
        assert uow.incidents.export_freeze() is None


def test_containment_disables_principals_and_sources_and_revokes_their_keys(uow_factory) -> None:
    with uow_factory() as uow:
        uow.principals.add(Principal("p-1", "ann", "support", T0))
        uow.tokens.add(ApiToken("t-1", "p-1", b"h" * 32, "srt_x", T0))
        uow.tokens.add(ApiToken("t-2", "p-1", b"i" * 32, "srt_y", T0))
        uow.sources.add(
            Source("s-1", "web", Channel.WEB, T0), WriteKey("k-1", "s-1", b"k" * 32, "x", T0)
        )
        uow.commit()
    later = T0 + timedelta(hours=1)
    with uow_factory() as uow:
        assert uow.containment.disable_principal("ann", later) == "p-1"
        assert uow.containment.disable_principal("nobody", later) is None
        assert uow.containment.revoke_principal_tokens("p-1", later) == 2
        assert uow.containment.revoke_principal_tokens("p-1", later) == 0
        assert uow.containment.disable_source("web", later) == "s-1"
        assert uow.containment.disable_source("nope", later) is None
        assert uow.containment.revoke_source_keys("s-1", later) == 1
        uow.commit()
    with uow_factory() as uow:
        assert uow.principals.by_name("ann").disabled_at == later
        assert uow.tokens.get("t-1").revoked_at == later
        assert uow.sources.by_name("web").disabled_at == later
        assert uow.sources.by_key_hash(b"k" * 32) is None


def _by(entries: list[AuditEntry], actors: list[str]) -> list[AuditEntry]:
    """The sample entries with their actors (and resource id counts) changed in turn."""
    changed = []
    for n, (entry, actor) in enumerate(zip(entries, actors, strict=True)):
        ids = tuple(f"cust-{n}-{k}" for k in range(n % 3))
        changed.append(replace(entry, draft=replace(entry.draft, actor=actor, resource_ids=ids)))
    return changed


def test_suspect_acts_are_read_by_actor_sequence_and_window_without_ids(uow_factory, samples):
    entries = _by(samples.audit_entries(6), ["staff:ann", "staff:bob"] * 3)  # T0 + 1..6 s
    with uow_factory() as uow:
        uow.audit.append(entries)
        uow.commit()
    with uow_factory() as uow:
        acts = uow.incidents.suspect_acts(actor="staff:ann", after=0, since=T0, until=None, limit=9)
        assert [(a.seq, a.resources) for a in acts] == [(1, 0), (3, 2), (5, 1)]
        assert acts[1] == SuspectAct(
            3, T0 + timedelta(seconds=3), "staff:ann", AuditAction.CUSTOMER_READ,
            Outcome.SUCCESS, "customer", 2,
        )  # fmt: skip
        later = uow.incidents.suspect_acts(
            actor="staff:ann", after=1, since=T0 + timedelta(seconds=2), until=None, limit=1
        )
        assert [a.seq for a in later] == [3]
        until = uow.incidents.suspect_acts(
            actor="staff:bob", after=0, since=T0, until=T0 + timedelta(seconds=4), limit=9
        )
        assert [a.seq for a in until] == [2, 4]
        assert (
            uow.incidents.suspect_acts(actor="staff:zed", after=0, since=T0, until=None, limit=9)
            == []
        )


def test_watches_are_stored_replaced_and_dropped(uow_factory) -> None:
    incident = _incident(1)
    with uow_factory() as uow:
        uow.incidents.add(incident)
        uow.incidents.save_watch(SuspectWatch(incident.id, "staff:ann", T0))
        uow.incidents.save_watch(SuspectWatch(incident.id, "source:web", T0, 4))
        uow.incidents.save_watch(SuspectWatch(incident.id, "staff:ann", T0, 9))
        uow.commit()
    with uow_factory() as uow:
        assert uow.incidents.watches(incident.id) == [
            SuspectWatch(incident.id, "source:web", T0, 4),
            SuspectWatch(incident.id, "staff:ann", T0, 9),
        ]
        uow.incidents.drop_watch(incident.id, "staff:ann")
        uow.incidents.drop_watch(incident.id, "staff:nobody")
        uow.commit()
    with uow_factory() as uow:
        assert [w.label for w in uow.incidents.watches(incident.id)] == ["source:web"]
        assert uow.incidents.watches("other") == []
    with uow_factory() as uow, pytest.raises(ConflictError):
        uow.incidents.save_watch(SuspectWatch("no-such-incident", "staff:ann", T0))


def test_an_audit_entry_is_copied_onto_one_timeline_once_and_named_seqs_say_which(
    uow_factory,
) -> None:
    first, second = _incident(1), _incident(2)

    def copy(incident: Incident, seq: int) -> TimelineDraft:
        return TimelineDraft(incident.id, T0, TimelineKind.AUDIT, "staff:ann", "read", {}, seq)

    with uow_factory() as uow:
        uow.incidents.add(first)
        uow.incidents.add(second)
        note = TimelineDraft(first.id, T0, TimelineKind.NOTE, "staff:ann", "noted", {}, 8)
        uow.incidents.append([copy(first, 5), copy(second, 5), note, copy(first, 6)])
        uow.commit()
    with uow_factory() as uow:
        assert uow.incidents.named_seqs(first.id, [4, 5, 6, 7, 8]) == {5, 6, 8}
        assert uow.incidents.named_seqs(second.id, [5, 6]) == {5}
    with uow_factory() as uow, pytest.raises(ConflictError):
        uow.incidents.append([copy(first, 7), copy(first, 5)])
    with uow_factory() as uow:
        assert uow.incidents.named_seqs(first.id, [7]) == set()  # nothing half-written
