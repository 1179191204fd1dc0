"""Checkpoints come every N entries or T seconds, sign their own entry, and survive a dead sink."""

from __future__ import annotations

import logging

import pytest

from strongroom.audit import merkle
from strongroom.audit.checkpoints import checkpoint_problem, parse_checkpoint
from strongroom.audit.service import verify_audit_log
from strongroom.core.models import Actor, PrincipalKind
from strongroom.core.trail import AuditAction, Origin
from strongroom.vault.receipts import audit_signing_public_keys

from .conftest import AuditWorld


def test_the_first_entries_are_checkpointed_at_once(world: AuditWorld) -> None:
    assert not world.checkpointer.is_due()
    world.record(3)
    result = world.checkpointer.checkpoint_if_due()
    assert result is not None
    assert result.checkpoint.tree_size == 4  # three entries and the checkpoint's own
    assert result.exported_to == ("list://test",)
    assert world.sink.received == [(4, result.checkpoint.to_json())]


def test_a_checkpoint_signs_the_root_of_every_entry_including_its_own(world: AuditWorld) -> None:
    world.record(5)
    result = world.checkpointer.checkpoint_if_due()
    assert result is not None
    with world.factory() as uow:
        entries = list(uow.audit.scan())
    assert entries[-1].draft.action is AuditAction.AUDIT_CHECKPOINTED
    assert entries[-1].draft.actor == "system:strongroom"
    assert entries[-1].draft.detail == {"tree_size": 6}
    assert result.checkpoint.root_hash == merkle.root([entry.leaf_hash for entry in entries])
    trusted = audit_signing_public_keys(world.keys)
    assert checkpoint_problem(result.checkpoint, trusted_keys=trusted) is None


def test_after_a_checkpoint_nothing_is_due_until_n_entries_or_t_seconds(
    world: AuditWorld,
) -> None:
    world.record(1)
    world.checkpointer.checkpoint_if_due()
    assert not world.checkpointer.is_due()  # its own entry does not make another one due
    world.record(9)
    assert not world.checkpointer.is_due()
    world.record(1)
    assert world.checkpointer.is_due()  # ten new entries


def test_time_alone_does_not_make_a_checkpoint_due(world: AuditWorld) -> None:
    world.record(1)
    world.checkpointer.checkpoint_if_due()
    world.clock.advance(3600)
    assert not world.checkpointer.is_due()


def test_a_few_new_entries_are_checkpointed_once_t_seconds_have_passed(world: AuditWorld) -> None:
    world.record(1)
    world.checkpointer.checkpoint_if_due()
    world.record(2)
    world.clock.advance(59)
    assert world.checkpointer.checkpoint_if_due() is None
    world.clock.advance(1)
    result = world.checkpointer.checkpoint_if_due()
    assert result is not None
    assert result.checkpoint.tree_size == 5


def test_a_final_checkpoint_signs_whatever_is_new(world: AuditWorld) -> None:
    world.record(1)
    world.checkpointer.checkpoint_if_due()
    assert world.checkpointer.checkpoint_if_due(final=True) is None
    world.record(1)
    assert world.checkpointer.checkpoint_if_due(final=True) is not None


def test_successive_checkpoints_extend_the_tree_the_same_as_computing_it_whole(
    world: AuditWorld,
) -> None:
    sizes = []
    for round_ in range(6):
        world.record(7 + round_, start=100 * round_)
        result = world.checkpointer.checkpoint(actor=Actor(PrincipalKind.LOCAL, "ops"))
        sizes.append(result.checkpoint.tree_size)
        with world.factory() as uow:
            leaves = [entry.leaf_hash for entry in uow.audit.scan()]
        assert result.checkpoint.root_hash == merkle.root(leaves)
    with world.factory() as uow:
        assert [c.tree_size for c in uow.audit.checkpoints()] == sizes


def test_a_checkpoint_asked_for_records_who_asked_and_from_where(world: AuditWorld) -> None:
    origin = Origin("192.0.2.9", "cli", None)
    actor = Actor(PrincipalKind.LOCAL, "ops", origin=origin)
    world.checkpointer.checkpoint(actor=actor)
    with world.factory() as uow:
        (entry,) = uow.audit.scan()
    assert (entry.draft.actor, entry.draft.origin) == ("local:ops", origin)


def test_a_sink_that_is_down_leaves_the_checkpoint_stored_and_the_failure_reported(
    world: AuditWorld, caplog: pytest.LogCaptureFixture
) -> None:
    world.sink.failing = True
    world.record(3)
    with caplog.at_level(logging.WARNING, logger="strongroom.audit"):
        result = world.checkpointer.checkpoint_if_due()
    assert result is not None
    assert result.export_errors == {"list://test": "list://test is down"}
    assert "was not exported to list://test: list://test is down" in caplog.text
    with world.factory() as uow:
        (stored,) = uow.audit.checkpoints()
    assert stored.export_errors == {"list://test": "list://test is down"}
    assert parse_checkpoint(stored.document) == result.checkpoint
    report = verify_audit_log(uow_factory=world.factory, keys=world.keys)
    assert any(
        "1 checkpoint(s) were not exported to list://test" in warning for warning in report.warnings
    )
