"""SIEM exports: JSON lines whose leaf hash can be recomputed, CEF escaped as the spec says."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from strongroom.audit.chain import extend
from strongroom.audit.exports import (
    ExportFormat,
    cef_extension_escape,
    cef_header_escape,
    cef_line,
    export_entries,
    jsonl_line,
)
from strongroom.core.models import Actor, PrincipalKind
from strongroom.core.trail import (
    GENESIS_HASH,
    AuditAction,
    AuditDraft,
    AuditEntry,
    AuditHead,
    Origin,
    Outcome,
)

from .conftest import AuditWorld

OPS = Actor(PrincipalKind.LOCAL, "ops", role="admin")
WHEN = datetime(2026, 11, 29, 12, 0, 0, 123000, tzinfo=UTC)


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ("plain", "plain"),
        ("a|b", "a\\|b"),
        ("back\\slash", "back\\\\slash"),
        ("a=b", "a=b"),  # equals needs no escape in the header
        ("two\nlines\r\n", "two lines "),
    ],
)
def test_cef_header_fields_escape_pipes_and_backslashes(raw: str, escaped: str) -> None:
    assert cef_header_escape(raw) == escaped


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ("plain", "plain"),
        ("a=b", "a\\=b"),
        ("back\\slash", "back\\\\slash"),
        ("a|b", "a|b"),  # pipes need no escape in the extension
        ("two\nlines", "two\\nlines"),
        ("cr\rlf\r\n", "cr\\rlf\\n"),
        ("\\=", "\\\\\\="),
    ],
)
def test_cef_extension_values_escape_equals_backslashes_and_line_breaks(
    raw: str, escaped: str
) -> None:
    assert cef_extension_escape(raw) == escaped


def _entry(**changes: Any) -> AuditEntry:
    draft = AuditDraft(
        actor="staff:eve|admin",
        action=AuditAction.CARD_DETOKENIZED,
        outcome=Outcome.SUCCESS,
        resource_type="card",
        resource_ids=("tok_a", "tok_b"),
        data_classes=("card",),
        purpose="payment",
        origin=Origin("203.0.113.9", "agent=x\nnext", "req-9"),
    )
    return extend(AuditHead(41, GENESIS_HASH), WHEN, [replace(draft, **changes)])[0]


def test_a_cef_line_carries_the_act_in_cefs_own_fields() -> None:
    line = cef_line(_entry(), product_version="0.1.0")
    *header, extension = line.split("|", 7)  # a pipe in the extension needs no escape
    assert "|".join(header) == (
        "CEF:0|Strongroom|Strongroom|0.1.0|card.detokenized|"
        "A card number was revealed from its token|5"
    )
    assert extension.split(" ")[:6] == [
        f"rt={int(WHEN.timestamp() * 1000)}",
        "externalId=42",
        "suser=staff:eve|admin",
        "src=203.0.113.9",
        "act=card.detokenized",
        "outcome=success",
    ]
    assert "cs1Label=purpose cs1=payment" in extension
    assert "cs3Label=resourceIds cs3=tok_a,tok_b" in extension
    assert "cs5Label=requestId cs5=req-9" in extension
    assert "requestClientApplication=agent\\=x\\nnext" in extension
    assert "\n" not in line


def test_a_cef_line_leaves_out_what_the_entry_does_not_have() -> None:
    entry = _entry(origin=None, purpose=None, resource_ids=(), outcome=Outcome.DENIED)
    line = cef_line(entry, product_version="1")
    assert line.split("|")[6] == "6"
    for absent in ("src=", "cs1", "cs3", "cs5", "requestClientApplication"):
        assert absent not in line


def test_a_json_line_is_the_canonical_entry_whose_leaf_hash_anyone_can_recompute() -> None:
    entry = _entry()
    document = json.loads(jsonl_line(entry))
    leaf = document.pop("leaf_hash")
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":")).encode()
    assert hashlib.sha256(b"\x00" + canonical).hexdigest() == leaf
    assert document["origin"] == {
        "ip": "203.0.113.9",
        "user_agent": "agent=x\nnext",
        "request_id": "req-9",
    }


@pytest.mark.parametrize("export_format", list(ExportFormat))
def test_an_export_from_a_time_on_is_audited_before_it_is_written(
    world: AuditWorld, export_format: ExportFormat
) -> None:
    world.record(3)
    world.clock.advance(60)
    world.record(2, start=3)
    lines: list[str] = []
    report = export_entries(
        uow_factory=world.factory,
        audit=world.audit,
        actor=OPS,
        since=world.clock.now() - timedelta(seconds=1),
        export_format=export_format,
        write=lines.append,
        product_version="0.1.0",
    )
    assert (report.entries, report.through_seq, len(lines)) == (2, 5, 2)
    with world.factory() as uow:
        recorded = list(uow.audit.scan())[-1].draft
    assert recorded.action is AuditAction.AUDIT_EXPORTED
    assert recorded.detail["format"] == export_format.value
    assert recorded.detail["through_seq"] == 5


@pytest.mark.parametrize(
    ("action", "severity"),
    [
        (AuditAction.CUSTOMERS_EXPORTED, "5"),
        (AuditAction.DSAR_EXPORTED, "5"),
        (AuditAction.CUSTOMER_READ, "3"),
    ],
)
def test_exports_of_customer_data_are_sensitive_in_cef(action: AuditAction, severity: str) -> None:
    assert cef_line(_entry(action=action), product_version="1").split("|")[6] == severity
