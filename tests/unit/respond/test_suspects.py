from __future__ import annotations

from datetime import timedelta

import pytest

from strongroom.core.errors import ConflictError, InvalidInputError, NotFoundError
from strongroom.core.incidents import IncidentStatus, TimelineKind
from strongroom.core.monitoring import Severity
from strongroom.core.trail import AuditAction
from strongroom.respond.suspects import MORE_FOLLOW, SuspectWatcher

from .conftest import RESPONDER, T0, World, act, canary_alert

READ = AuditAction.CUSTOMER_READ


def _watcher(world: World, cap: int = 1000) -> SuspectWatcher:
    return SuspectWatcher(uow_factory=world.factory, incidents=world.incidents, cap=cap)


def _open(world: World, *suspects: str) -> str:
    return world.incidents.open_incident(
        actor=RESPONDER, title="Phished", severity=Severity.HIGH, principals=list(suspects)
    ).id


def _copies(world: World, incident_id: str) -> list[dict[str, object]]:
    return [
        {**e.draft.detail, "actor": e.draft.actor, "audit_seq": e.draft.audit_seq}
        for e in world.incidents.show(incident_id).timeline
        if e.draft.kind is TimelineKind.AUDIT
    ]


def _seqs(world: World, actor: str) -> list[int]:
    with world.factory() as uow:
        return [e.seq for e in uow.audit.scan() if e.draft.actor == actor]


def test_a_suspects_acts_from_awareness_on_are_copied_once_without_pii(world: World) -> None:
    world.record(act("staff:ann", READ, ("c-before",)))  # before the incident: not copied
    world.clock.advance(minutes=1)
    incident_id = _open(world, "staff:ann")
    world.record(
        act("staff:ann", READ, ("c-secret-1", "c-secret-2")),
        act("staff:bob", READ, ("c-3",)),  # not a suspect
        act("staff:ann", AuditAction.CUSTOMER_SEARCH, ("c-4",)),
    )
    watcher = _watcher(world)
    assert watcher.sync([incident_id]).copied == 2
    assert watcher.sync([incident_id]).copied == 0  # idempotent
    copies = _copies(world, incident_id)
    ann = _seqs(world, "staff:ann")[1:]
    assert [c["seq"] for c in copies] == ann
    assert [c["audit_seq"] for c in copies] == ann  # `strongroom audit proof SEQ` proves each
    assert copies[0] == {
        "action": "customer.read",
        "outcome": "success",
        "resource_type": "customer",
        "resources": 2,
        "seq": ann[0],
        "actor": "staff:ann",
        "audit_seq": ann[0],
    }
    shown = repr(world.incidents.show(incident_id).timeline)
    assert "c-secret" not in shown
    assert "support" not in shown  # the entry's purpose is not copied either


def test_a_pass_is_capped_and_says_that_more_follow(world: World) -> None:
    incident_id = _open(world, "staff:ann", "staff:bob")
    world.record(*[act("staff:ann", READ, (f"c-{n}",)) for n in range(5)])
    world.record(act("staff:bob", READ, ("c-x",)))
    watcher = _watcher(world, cap=3)
    report = watcher.sync([incident_id])
    assert (report.copied, report.capped) == (3, (incident_id,))
    copies = [e.draft for e in world.incidents.show(incident_id).timeline][-3:]
    assert MORE_FOLLOW in copies[-1].text
    assert copies[-1].detail["more_follow"] is True
    assert watcher.sync([incident_id]).copied == 3  # ann's last two, then bob's
    report = watcher.sync([incident_id])
    assert (report.copied, report.capped) == (0, ())
    assert len(_copies(world, incident_id)) == 6


def test_the_cap_is_shared_among_the_incidents_of_a_pass(world: World) -> None:
    first, second = _open(world, "staff:ann"), _open(world, "staff:bob")
    world.record(*[act(who, READ, ("c",)) for who in ("staff:ann", "staff:bob") for _ in range(4)])
    report = _watcher(world, cap=4).sync([first, second])
    assert report.copied == 4
    assert (len(_copies(world, first)), len(_copies(world, second))) == (2, 2)


def test_added_removed_and_added_again_copies_nothing_twice(world: World) -> None:
    incident_id = _open(world)
    world.record(act("vendor:acme", READ, ("c-1",)))
    world.incidents.add_suspect(actor=RESPONDER, incident_id=incident_id, label="vendor:acme")
    watcher = _watcher(world)
    assert watcher.sync([incident_id]).copied == 1
    world.incidents.remove_suspect(actor=RESPONDER, incident_id=incident_id, label="vendor:acme")
    world.record(act("vendor:acme", READ, ("c-2",)))
    assert watcher.sync([incident_id]).copied == 0  # no longer watched
    world.incidents.add_suspect(actor=RESPONDER, incident_id=incident_id, label="vendor:acme")
    assert watcher.sync([incident_id]).copied == 1  # c-2 only: c-1 is on the timeline already
    kinds = [e.draft.kind for e in world.incidents.show(incident_id).timeline]
    assert kinds.count(TimelineKind.SUSPECT) == 3
    assert kinds.count(TimelineKind.AUDIT) == 2


def test_a_look_back_copies_acts_from_before_awareness(world: World) -> None:
    world.record(act("staff:ann", READ, ("c-1",)))
    world.clock.advance(hours=2)
    incident_id = _open(world)
    world.incidents.add_suspect(
        actor=RESPONDER, incident_id=incident_id, label="staff:ann", since=T0
    )
    assert _watcher(world).sync([incident_id]).copied == 1


def test_a_closed_incident_copies_nothing_done_after_it_closed(world: World) -> None:
    incident_id = _open(world, "staff:ann")
    world.incidents.transition(
        actor=RESPONDER, incident_id=incident_id, status=IncidentStatus.CLOSED
    )
    world.clock.advance(minutes=5)
    world.record(act("staff:ann", READ, ("c-1",)))
    assert _watcher(world).sync([incident_id]).copied == 0
    assert _watcher(world).sync_open().copied == 0


def test_show_and_list_sync_first(world: World) -> None:
    incident_id = _open(world, "staff:ann")
    world.record(act("staff:ann", READ, ("c-1",)))
    watcher = _watcher(world)
    assert watcher.list_incidents()[0].id == incident_id
    assert len(_copies(world, incident_id)) == 1
    world.record(act("staff:ann", READ, ("c-2",)))
    view = watcher.show(incident_id)
    assert [e.draft.kind for e in view.timeline].count(TimelineKind.AUDIT) == 2
    with pytest.raises(NotFoundError):
        watcher.show("missing")


def test_an_alerts_principal_is_watched_from_the_alerts_first_sighting(world: World) -> None:
    world.record(act("staff:mallory", READ, ("canary",)))
    world.clock.advance(minutes=10)
    world.incidents.open_for(canary_alert())
    [incident] = world.incidents.list_incidents()
    assert incident.principals == ("staff:mallory",)
    assert _watcher(world).sync_open().copied == 1


@pytest.mark.parametrize(
    "label", ["ann", "boss:ann", "staff:", "staff:ann smith", "staff:" + "a" * 300, "staff:a\x00"]
)
def test_a_malformed_suspect_label_is_refused(world: World, label: str) -> None:
    incident_id = _open(world)
    with pytest.raises(InvalidInputError, match="KIND:NAME"):
        world.incidents.add_suspect(actor=RESPONDER, incident_id=incident_id, label=label)


def test_suspect_changes_are_audited_and_errors_are_clear(world: World) -> None:
    incident_id = _open(world, "staff:ann")
    with pytest.raises(ConflictError, match="already"):
        world.incidents.add_suspect(actor=RESPONDER, incident_id=incident_id, label="staff:ann")
    with pytest.raises(NotFoundError, match="not a suspect"):
        world.incidents.remove_suspect(actor=RESPONDER, incident_id=incident_id, label="staff:zed")
    with pytest.raises(InvalidInputError, match="future"):
        world.incidents.add_suspect(
            actor=RESPONDER,
            incident_id=incident_id,
            label="staff:bob",
            since=T0 + timedelta(days=1),
        )
    with pytest.raises(NotFoundError, match="no incident"):
        world.incidents.add_suspect(actor=RESPONDER, incident_id="missing", label="staff:bob")
    world.incidents.remove_suspect(actor=RESPONDER, incident_id=incident_id, label="staff:ann")
    last = world.incidents.show(incident_id).timeline[-1].draft
    assert (last.kind, last.detail) == (
        TimelineKind.SUSPECT,
        {"suspect": "staff:ann", "change": "removed"},
    )
    with world.factory() as uow:
        audited = [e for e in uow.audit.scan() if e.seq == last.audit_seq]
    assert audited[0].draft.action is AuditAction.INCIDENT_CHANGED


def test_a_pass_with_nothing_to_copy_only_reads(world: World) -> None:
    incident_id = _open(world, "staff:ann")
    writes: list[int] = []

    def writer():  # type: ignore[no-untyped-def]
        writes.append(1)
        return world.factory()

    watcher = SuspectWatcher(uow_factory=writer, incidents=world.incidents, reader=world.factory)
    assert watcher.sync_open().copied == 0
    assert writes == []
    world.record(act("staff:ann", READ, ("c-1",)))
    assert watcher.sync([incident_id]).copied == 1
    assert writes == [1]


def test_a_suspects_acts_the_timeline_records_already_are_not_copied(world: World) -> None:
    incident_id = _open(world, RESPONDER.label)  # the responder suspects themself
    world.incidents.add_note(actor=RESPONDER, incident_id=incident_id, text="checked the logs")
    world.record(act(RESPONDER.label, READ, ("c-1",)))
    assert _watcher(world).sync([incident_id]).copied == 1  # the read, not the note or opening
    assert [c["action"] for c in _copies(world, incident_id)] == ["customer.read"]
