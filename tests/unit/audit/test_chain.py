"""The hash chain detects every kind of tampering and names the entry."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from strongroom.audit.chain import ChainChecker, canonical_bytes, extend, verify_chain
from strongroom.audit.merkle import leaf_hash
from strongroom.core.errors import AuditIntegrityError
from strongroom.core.trail import (
    GENESIS_HASH,
    AuditAction,
    AuditDraft,
    AuditEntry,
    AuditHead,
    Origin,
    Outcome,
)

WHEN = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


def _draft(n: int) -> AuditDraft:
    return AuditDraft(
        actor=f"staff:person{n}",
        action=AuditAction.CUSTOMER_READ,
        outcome=Outcome.SUCCESS,
        resource_type="customer",
        resource_ids=(f"c{n}",),
        data_classes=("pii",),
        purpose="support",
    )


def _chain(length: int) -> tuple[list[AuditEntry], AuditHead]:
    entries = extend(AuditHead(0, GENESIS_HASH), WHEN, [_draft(n) for n in range(length)])
    return entries, AuditHead(entries[-1].seq, entries[-1].entry_hash)


def test_an_untouched_chain_verifies_and_counts_its_entries() -> None:
    entries, head = _chain(5)
    assert verify_chain(entries, head) == 5


def test_an_empty_log_verifies_against_the_genesis_head() -> None:
    assert verify_chain([], AuditHead(0, GENESIS_HASH)) == 0


def test_extending_continues_numbering_and_links_from_the_head() -> None:
    first, head = _chain(2)
    more = extend(head, WHEN, [_draft(9)])
    assert more[0].seq == 3
    assert more[0].prev_hash == first[-1].entry_hash


def test_a_changed_entry_is_named() -> None:
    entries, head = _chain(5)
    entries[2] = replace(entries[2], draft=replace(entries[2].draft, actor="staff:mallory"))
    with pytest.raises(AuditIntegrityError, match="audit entry 3 was changed") as caught:
        verify_chain(entries, head)
    assert caught.value.seq == 3


def test_a_changed_timestamp_is_detected() -> None:
    entries, head = _chain(3)
    entries[0] = replace(entries[0], occurred_at=WHEN.replace(hour=3))
    with pytest.raises(AuditIntegrityError, match="audit entry 1 was changed"):
        verify_chain(entries, head)


def test_a_deleted_entry_is_named() -> None:
    entries, head = _chain(5)
    del entries[1]
    with pytest.raises(AuditIntegrityError, match="audit entry 2 is missing"):
        verify_chain(entries, head)


def test_a_recomputed_entry_breaks_the_next_link() -> None:
    entries, head = _chain(4)
    forged = extend(AuditHead(1, entries[0].entry_hash), WHEN, [_draft(99)])[0]
    entries[1] = forged
    with pytest.raises(AuditIntegrityError, match="audit entry 3 does not follow entry 2"):
        verify_chain(entries, head)


def test_deleting_the_newest_entries_is_detected_by_the_head() -> None:
    entries, head = _chain(5)
    with pytest.raises(AuditIntegrityError, match="the newest entries were deleted"):
        verify_chain(entries[:3], head)


def test_a_replaced_newest_entry_is_detected_by_the_head() -> None:
    entries, head = _chain(3)
    replaced = extend(AuditHead(2, entries[1].entry_hash), WHEN, [_draft(42)])
    with pytest.raises(AuditIntegrityError, match="the newest entry was replaced"):
        verify_chain([*entries[:2], *replaced], head)


def test_canonical_form_names_records_and_classes_but_no_values() -> None:
    text = canonical_bytes(1, WHEN, _draft(1)).decode()
    assert '"resource_ids":["c1"]' in text
    assert '"occurred_at":"2026-11-29T12:00:00.000000Z"' in text


def test_an_entry_without_an_origin_keeps_the_canonical_form_it_had_before_origins() -> None:
    text = canonical_bytes(7, WHEN, _draft(7)).decode()
    assert text == (
        '{"action":"customer.read","actor":"staff:person7","data_classes":["pii"],"detail":{},'
        '"occurred_at":"2026-11-29T12:00:00.000000Z","outcome":"success","purpose":"support",'
        '"resource_ids":["c7"],"resource_type":"customer","seq":7}'
    )


def test_the_origin_is_in_the_canonical_form_and_so_under_both_hashes() -> None:
    origin = Origin("198.51.100.2", "Mozilla/5.0", "req-1")
    with_origin = replace(_draft(1), origin=origin)
    text = canonical_bytes(1, WHEN, with_origin).decode()
    assert '"origin":{"ip":"198.51.100.2","request_id":"req-1","user_agent":"Mozilla/5.0"}' in text
    (plain,) = extend(AuditHead(0, GENESIS_HASH), WHEN, [_draft(1)])
    (placed,) = extend(AuditHead(0, GENESIS_HASH), WHEN, [with_origin])
    assert plain.entry_hash != placed.entry_hash
    assert plain.leaf_hash != placed.leaf_hash
    assert placed.leaf_hash == leaf_hash(text.encode())


def test_an_origin_that_says_nothing_is_recorded_as_none() -> None:
    (entry,) = extend(AuditHead(0, GENESIS_HASH), WHEN, [replace(_draft(1), origin=Origin())])
    assert entry.draft.origin is None


def test_a_changed_leaf_hash_is_named_even_when_the_chain_holds() -> None:
    entries, head = _chain(3)
    entries[1] = replace(entries[1], leaf_hash=bytes(32))
    with pytest.raises(AuditIntegrityError, match="audit entry 2 has a stored leaf hash"):
        verify_chain(entries, head)


def test_a_checker_can_start_from_any_position_of_the_chain() -> None:
    entries, head = _chain(6)
    checker = ChainChecker(after=3, prev_hash=entries[2].entry_hash)
    leaves = [checker.check(entry) for entry in entries[3:]]
    checker.check_head(head)
    assert leaves == [entry.leaf_hash for entry in entries[3:]]
