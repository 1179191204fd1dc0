"""The erasure ledger file: appended line by line, owner-only, read back with line numbers."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from strongroom.adapters.ledger import FileErasureLedger
from strongroom.core.errors import ConfigurationError


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_missing_ledger_holds_no_receipts(tmp_path: Path) -> None:
    assert FileErasureLedger(tmp_path / "erasures.jsonl").receipts() == []


def test_receipts_are_appended_one_per_line_to_an_owner_only_file(tmp_path: Path) -> None:
    path = tmp_path / "erasures.jsonl"
    ledger = FileErasureLedger(path)
    ledger.append('{"n":1}')
    ledger.append('{"n":"zwei ü"}')
    assert path.read_text(encoding="utf-8") == '{"n":1}\n{"n":"zwei ü"}\n'
    assert _mode(path) == 0o600
    assert ledger.receipts() == [(1, '{"n":1}'), (2, '{"n":"zwei ü"}')]
    assert ledger.location == str(path)


def test_blank_lines_are_skipped_but_line_numbers_stay_true(tmp_path: Path) -> None:
    path = tmp_path / "erasures.jsonl"
    path.write_text('{"a":1}\n\n   \n{"b":2}\n')
    assert FileErasureLedger(path).receipts() == [(1, '{"a":1}'), (4, '{"b":2}')]


def test_a_ledger_copied_with_a_looser_mode_is_narrowed_on_the_next_append(tmp_path: Path) -> None:
    path = tmp_path / "erasures.jsonl"
    path.write_text("")
    path.chmod(0o644)
    FileErasureLedger(path).append("{}")
    assert _mode(path) == 0o600


def test_a_receipt_spanning_lines_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="one line"):
        FileErasureLedger(tmp_path / "erasures.jsonl").append('{"a":\n1}')


def test_an_unwritable_ledger_says_nothing_was_erased(tmp_path: Path) -> None:
    ledger = FileErasureLedger(tmp_path / "missing-directory" / "erasures.jsonl")
    with pytest.raises(ConfigurationError, match="nothing was erased"):
        ledger.append("{}")
