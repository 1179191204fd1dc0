"""The audit log's storage behaves alike on the fakes, SQLite and PostgreSQL."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from itertools import pairwise

import pytest

from strongroom.core.errors import ConflictError
from strongroom.core.trail import GENESIS_HASH, AuditHead


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
