"""The audit log's storage behaves alike on the fakes, SQLite and PostgreSQL."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime
from itertools import pairwise

import pytest

from strongroom.core.errors import ConflictError, NotFoundError
from strongroom.core.trail import GENESIS_HASH, AuditCheckpoint, AuditHead, Origin


def test_an_empty_log_has_its_head_at_genesis(uow_factory):
    with uow_factory() as uow:
        assert uow.audit.head() == AuditHead(0, GENESIS_HASH)
        assert uow.audit.lock_head() == AuditHead(0, GENESIS_HASH)
        assert list(uow.audit.scan()) == []


def test_appending_stores_the_entries_and_moves_the_head_to_the_last(uow_factory, samples):
    with uow_factory() as uow:
        head = uow.audit.lock_head()
        entries = samples.audit_entries(3, after=head)
        uow.audit.append(entries)
        uow.commit()

    with uow_factory() as uow:
        assert uow.audit.head() == AuditHead(3, entries[-1].entry_hash)
        assert list(uow.audit.scan()) == entries


@pytest.mark.parametrize("batch_size", [1, 3, 7, 100])
def test_scanning_yields_every_entry_in_sequence_order_across_batches(
    uow_factory, samples, batch_size
):
    first = samples.audit_entries(4)
    second = samples.audit_entries(3, after=AuditHead(4, first[-1].entry_hash))
    for entries in (first, second):
        with uow_factory() as uow:
            uow.audit.lock_head()
            uow.audit.append(entries)
            uow.commit()

    with uow_factory() as uow:
        scanned = list(uow.audit.scan(batch_size=batch_size))
    assert [e.seq for e in scanned] == [1, 2, 3, 4, 5, 6, 7]
    assert scanned == first + second


def test_scanning_refuses_an_empty_batch_size(uow_factory):
    with uow_factory() as uow, pytest.raises(ValueError, match="batch_size"):
        uow.audit.scan(batch_size=0)


def test_a_sequence_number_cannot_be_appended_twice(uow_factory, samples):
    entries = samples.audit_entries(2)
    with uow_factory() as uow:
        uow.audit.append(entries)
        uow.commit()
    with uow_factory() as uow, pytest.raises(ConflictError):
        uow.audit.append(entries[1:])


def test_an_append_that_is_not_committed_leaves_the_head_alone(uow_factory, samples):
    with uow_factory() as uow:
        uow.audit.append(samples.audit_entries(2))

    with uow_factory() as uow:
        assert uow.audit.head() == AuditHead(0, GENESIS_HASH)
        assert list(uow.audit.scan()) == []


def test_concurrent_appenders_each_get_the_next_sequence_number(uow_factory, samples):
    def append_one(_: int) -> None:
        with uow_factory() as uow:
            head = uow.audit.lock_head()
            uow.audit.append(samples.audit_entries(1, after=head))
            uow.commit()

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(append_one, range(20)))

    with uow_factory() as uow:
        entries = list(uow.audit.scan(batch_size=8))
        head = uow.audit.head()
    assert [e.seq for e in entries] == list(range(1, 21))
    assert all(e.prev_hash == p.entry_hash for p, e in pairwise(entries))
    assert head == AuditHead(20, entries[-1].entry_hash)


def _store(uow_factory, entries) -> None:
    with uow_factory() as uow:
        uow.audit.lock_head()
        uow.audit.append(entries)
        uow.commit()


def _checkpoint(size: int, **changes) -> AuditCheckpoint:
    checkpoint = AuditCheckpoint(
        tree_size=size,
        root_hash=bytes([size]) * 32,
        created_at=datetime(2026, 5, 1, 12, 0, size, 123456, tzinfo=UTC),
        key_version=1,
        document=f'{{"tree_size":{size}}}',
        frontier=(bytes([1]) * 32, bytes([2]) * 32),
    )
    return replace(checkpoint, **changes)


@pytest.mark.parametrize("batch_size", [1, 2, 100])
def test_scanning_from_a_position_yields_only_the_later_entries(uow_factory, samples, batch_size):
    entries = samples.audit_entries(6)
    _store(uow_factory, entries)
    with uow_factory() as uow:
        assert list(uow.audit.scan(after=4, batch_size=batch_size)) == entries[4:]
        assert list(uow.audit.scan(after=6, batch_size=batch_size)) == []


def test_origins_and_leaf_hashes_round_trip(uow_factory, samples):
    entries = samples.audit_entries(2)
    _store(uow_factory, entries)
    with uow_factory() as uow:
        first, second = uow.audit.scan()
    assert first.draft.origin == Origin("203.0.113.7", "curl/8.5 \u00e9", "req-1")
    assert second.draft.origin is None
    assert (first.leaf_hash, second.leaf_hash) == (entries[0].leaf_hash, entries[1].leaf_hash)


def test_leaf_hashes_are_read_in_order_up_to_the_given_entry(uow_factory, samples):
    entries = samples.audit_entries(5)
    _store(uow_factory, entries)
    with uow_factory() as uow:
        assert uow.audit.leaf_hashes(stop=3) == [e.leaf_hash for e in entries[:3]]
        assert uow.audit.leaf_hashes(stop=9) == [e.leaf_hash for e in entries]
        assert uow.audit.leaf_hashes(stop=0) == []


def test_a_log_without_checkpoints_has_no_latest(uow_factory):
    with uow_factory() as uow:
        assert uow.audit.latest_checkpoint() is None
        assert uow.audit.checkpoints() == []


def test_checkpoints_are_stored_and_the_largest_is_the_latest(uow_factory):
    stored = [_checkpoint(9), _checkpoint(3, frontier=()), _checkpoint(27)]
    for checkpoint in stored:
        with uow_factory() as uow:
            uow.audit.add_checkpoint(checkpoint)
            uow.commit()
    with uow_factory() as uow:
        assert uow.audit.latest_checkpoint() == stored[2]
        assert uow.audit.checkpoints() == [stored[1], stored[0], stored[2]]


def test_a_tree_size_cannot_be_checkpointed_twice(uow_factory):
    with uow_factory() as uow:
        uow.audit.add_checkpoint(_checkpoint(4))
        uow.commit()
    with uow_factory() as uow, pytest.raises(ConflictError):
        uow.audit.add_checkpoint(_checkpoint(4, root_hash=bytes(32)))


def test_export_errors_are_recorded_on_their_checkpoint(uow_factory):
    with uow_factory() as uow:
        uow.audit.add_checkpoint(_checkpoint(5))
        uow.audit.add_checkpoint(_checkpoint(6))
        uow.commit()
    with uow_factory() as uow:
        uow.audit.set_export_errors(5, {"syslog://127.0.0.1:514": "connection refused"})
        uow.commit()
    with uow_factory() as uow:
        five, six = uow.audit.checkpoints()
    assert five.export_errors == {"syslog://127.0.0.1:514": "connection refused"}
    assert six.export_errors == {}


def test_export_errors_of_an_unknown_checkpoint_are_refused(uow_factory):
    with uow_factory() as uow, pytest.raises(NotFoundError):
        uow.audit.set_export_errors(5, {"dir:/x": "disk full"})
