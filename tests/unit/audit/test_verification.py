"""Verifying against checkpoints, what it warns about, and that reading the log is audited."""

from __future__ import annotations

import pytest

from strongroom.audit.service import verify_and_record, verify_audit_log
from strongroom.core.errors import AuditIntegrityError
from strongroom.core.models import Actor, PrincipalKind
from strongroom.core.trail import AuditAction, Outcome

from .conftest import AuditWorld, ListSink

OPS = Actor(PrincipalKind.LOCAL, "ops", role="admin")


def test_an_intact_log_reports_its_root_and_the_checkpoints_it_matched(world: AuditWorld) -> None:
    world.record(4)
    world.checkpointer.checkpoint_if_due()
    world.record(2)
    report = verify_audit_log(uow_factory=world.factory, keys=world.keys, archive=world.sink)
    assert (report.entries_checked, report.head_seq) == (7, 7)
    assert (report.stored_checkpoints, report.exported_checkpoints) == (1, 1)
    assert (report.latest_exported, report.latest_exported_size) == ("list://test/5", 5)
    assert report.warnings == (
        "entries 6 to 7 are newer than the last exported checkpoint: they are chained, but a "
        "deletion of them would not be noticed until the next one",
    )


def test_without_a_checkpoint_directory_verify_says_what_it_cannot_see(world: AuditWorld) -> None:
    world.record(2)
    report = verify_audit_log(uow_factory=world.factory, keys=world.keys)
    assert "no checkpoint directory is configured" in report.warnings[0]


def test_an_empty_checkpoint_directory_is_pointed_out(world: AuditWorld) -> None:
    world.record(2)
    report = verify_audit_log(uow_factory=world.factory, archive=ListSink("dir:/x"))
    assert report.warnings == (
        "no exported checkpoint in dir:/x yet: run `strongroom audit checkpoint`",
    )


def test_an_empty_log_verifies_with_nothing_to_warn_about(world: AuditWorld) -> None:
    report = verify_audit_log(uow_factory=world.factory, archive=world.sink)
    assert (report.entries_checked, report.warnings) == (0, ())
    assert report.root_hash_hex == (
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    )


def test_a_checkpoint_beyond_the_log_means_its_tail_was_deleted(world: AuditWorld) -> None:
    world.record(4)
    world.checkpointer.checkpoint_if_due()
    store = world.factory.store
    for seq in (4, 5):
        del store.audit_entries[seq]
    last = store.audit_entries[3]
    store.audit_head = type(store.audit_head)(3, last.entry_hash)
    store.audit_checkpoints.clear()
    with pytest.raises(AuditIntegrityError, match="entries 4 to 5 were deleted") as caught:
        verify_audit_log(uow_factory=world.factory, keys=world.keys, archive=world.sink)
    assert caught.value.checkpoint == "list://test/5"


def test_verifying_is_recorded_with_its_verdict(world: AuditWorld) -> None:
    world.record(3)
    verify_and_record(uow_factory=world.factory, audit=world.audit, actor=OPS)
    with world.factory() as uow:
        entry = list(uow.audit.scan())[-1]
    assert entry.draft.action is AuditAction.AUDIT_VERIFIED
    assert (entry.draft.actor, entry.draft.outcome) == ("local:ops", Outcome.SUCCESS)
    assert entry.draft.detail == {"verdict": "intact", "entries_checked": 3}


def test_a_failed_verification_is_recorded_and_still_raised(world: AuditWorld) -> None:
    world.record(3)
    del world.factory.store.audit_entries[2]
    with pytest.raises(AuditIntegrityError, match="audit entry 2 is missing"):
        verify_and_record(uow_factory=world.factory, audit=world.audit, actor=OPS)
    with world.factory() as uow:
        entry = world.factory.store.audit_entries[uow.audit.head().seq]
    assert entry.draft.action is AuditAction.AUDIT_VERIFIED
    assert entry.draft.outcome is Outcome.FAILED
    assert entry.draft.detail == {"verdict": "failed", "first_bad_seq": 2}
