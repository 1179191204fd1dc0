"""PDF notices drawn with fpdf2, read back with a small PDF text reader (tests/pdf_text.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from tests.pdf_text import words

from strongroom.adapters.pdf_notices import (
    SUBSTITUTION_NOTE,
    FpdfNoticeRenderer,
    find_unicode_font,
)
from strongroom.core.incidents import (
    Block,
    Incident,
    IncidentRole,
    IncidentStatus,
    IncidentTask,
    RoleAssignment,
    TaskStatus,
    TimelineDraft,
    TimelineEntry,
    TimelineKind,
)
from strongroom.core.monitoring import Severity
from strongroom.respond.models import IncidentView
from strongroom.respond.notices import CALIFORNIA_HEADINGS, NoticeFacts, NoticeKind, draft

T0 = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)
DEJAVU = pytest.mark.skipif(find_unicode_font() is None, reason="DejaVu Sans is not installed")


def _view(title: str = "Stolen support token") -> IncidentView:
    incident = Incident(
        id="6f1c2d3e-0000-4000-8000-000000000001",
        title=title,
        severity=Severity.HIGH,
        status=IncidentStatus.CONTAINMENT,
        opened_at=T0,
        opened_by="staff:rita",
        aware_at=T0,
        updated_at=T0,
        principals=("staff:ann",),
    )
    entry = TimelineDraft(incident.id, T0, TimelineKind.NOTE, "staff:rita", "Token revoked")
    return IncidentView(
        incident,
        (RoleAssignment(incident.id, IncidentRole.COMMANDER, "rita", T0),),
        (IncidentTask("t1", incident.id, "Call the vendor", TaskStatus.OPEN, T0),),
        (TimelineEntry(1, entry),),
    )


FACTS = NoticeFacts("Acme Ltd", "dpo@acme.example", subjects=12, records=40, data_classes=("pii",))
EXPECTED = {
    NoticeKind.AUTHORITY: [
        "Personal data breach notification: Acme Ltd",
        "(b) Contact point",
        "data subjects concerned: 12",
        "dpo@acme.example",
    ],
    NoticeKind.SUBJECTS: [f"{h}" for h in CALIFORNIA_HEADINGS] + ["Notice of Data Breach"],
    NoticeKind.REPORT: [
        "Post-incident report: Stolen support token",
        "commander: rita",
        "[open] Call the vendor",
        "Token revoked",
    ],
}
RENDERERS = {
    "dejavu": pytest.param(FpdfNoticeRenderer, marks=DEJAVU),
    "helvetica": pytest.param(lambda: FpdfNoticeRenderer(font_dirs=()), id="helvetica"),
}


@pytest.mark.parametrize("make", RENDERERS.values(), ids=RENDERERS.keys())
@pytest.mark.parametrize("kind", list(NoticeKind))
def test_every_notice_kind_renders_to_a_pdf_holding_its_text(make, kind: NoticeKind) -> None:
    data = make().render(draft(kind, _view(), FACTS), title=f"{kind.value} notice")
    assert data.startswith(b"%PDF-")
    assert data.rstrip().endswith(b"%%EOF")
    text = words(data)
    for expected in EXPECTED[kind]:
        assert expected in text
    assert SUBSTITUTION_NOTE not in text  # nothing had to be replaced


@DEJAVU
def test_the_unicode_font_shows_names_beyond_latin_1_and_marks_what_it_cannot() -> None:
    facts = NoticeFacts("Zoë & Søn", "Łukasz Żółć, Ελένη", subjects=1)
    renderer = FpdfNoticeRenderer()
    assert renderer.unicode
    text = words(renderer.render(draft(NoticeKind.AUTHORITY, _view("東京 leak"), facts), title="x"))
    assert "Personal data breach notification: Zoë & Søn" in text
    assert "Łukasz Żółć, Ελένη" in text
    assert SUBSTITUTION_NOTE not in text
    report = renderer.render(draft(NoticeKind.REPORT, _view("東京 leak"), facts), title="東京")
    assert "Post-incident report: ?? leak" in words(report)  # DejaVu Sans has no CJK glyphs
    assert SUBSTITUTION_NOTE in words(report)


def test_without_a_unicode_font_helvetica_substitutes_and_never_crashes() -> None:
    facts = NoticeFacts("Zoë & Søn", "Łukasz \u2013 “DPO” € ✓")
    renderer = FpdfNoticeRenderer(font_dirs=())
    assert not renderer.unicode
    data = renderer.render(draft(NoticeKind.AUTHORITY, _view(), facts), title="Łódź ✓")
    text = words(data)
    assert "notification: Zoë & Søn" in text  # Latin-1 and Windows-1252 stay as they are
    assert "?ukasz \u2013 “DPO” € ?" in text  # no Ł or ✓ in Helvetica
    assert SUBSTITUTION_NOTE in text


def test_accents_beyond_windows_1252_fall_back_to_the_plain_letter() -> None:
    blocks = [Block("paragraph", "Dvořák in Łódź")]
    text = words(FpdfNoticeRenderer(font_dirs=()).render(blocks, title="t"))
    assert "Dvorák in ?ódz" in text  # ř -> r; á and ó are in Windows-1252; Ł has no plain form


def test_a_long_notice_flows_onto_more_pages_with_page_numbers() -> None:
    blocks = [Block("bullets", items=tuple(f"timeline entry {n}" for n in range(200)))]
    data = FpdfNoticeRenderer(font_dirs=()).render(blocks, title="report")
    text = words(data)
    assert "timeline entry 199" in text
    assert "report - page 1/" in text
    assert data.count(b"/Type /Page\n") >= 3


def test_the_font_is_found_only_where_both_faces_are(tmp_path: Path) -> None:
    (tmp_path / "DejaVuSans.ttf").write_bytes(b"x")
    assert find_unicode_font([tmp_path]) is None
    (tmp_path / "DejaVuSans-Bold.ttf").write_bytes(b"x")
    assert find_unicode_font([tmp_path / "missing", tmp_path]) == (
        tmp_path / "DejaVuSans.ttf",
        tmp_path / "DejaVuSans-Bold.ttf",
    )
