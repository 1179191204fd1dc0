from __future__ import annotations

from strongroom.core.monitoring import Severity
from strongroom.respond.notices import (
    CALIFORNIA_HEADINGS,
    NoticeFacts,
    NoticeKind,
    draft,
    to_html,
    to_markdown,
)

from .conftest import RESPONDER, World


def _view(world: World):  # type: ignore[no-untyped-def]
    incident = world.incidents.open_incident(
        actor=RESPONDER, title="Leaked <backup>", severity=Severity.HIGH
    )
    return world.incidents.show(incident.id)


FACTS = NoticeFacts(
    "Acme & Co",
    "dpo@acme.example",
    subjects=12,
    records=40,
    data_classes=("pii",),
    by_country={"DE": 12},
)


def test_the_authority_notice_has_the_art_33_3_contents_in_order(world: World) -> None:
    text = to_markdown(draft(NoticeKind.AUTHORITY, _view(world), FACTS))
    headings = ["(a) Nature", "(b) Contact", "(c) Likely consequences", "(d) Measures"]
    positions = [text.index(h) for h in headings]
    assert positions == sorted(positions)
    assert "data subjects concerned: 12" in text
    assert "DE 12" in text
    assert "dpo@acme.example" in text


def test_the_letter_to_data_subjects_uses_californias_five_headings(world: World) -> None:
    text = to_markdown(draft(NoticeKind.SUBJECTS, _view(world), FACTS))
    for heading in CALIFORNIA_HEADINGS:
        assert f"## {heading}" in text


def test_the_report_lists_the_timeline_and_html_is_escaped(world: World) -> None:
    view = _view(world)
    blocks = draft(NoticeKind.REPORT, view, FACTS)
    assert "Opened: Leaked <backup>" in to_markdown(blocks)
    page = to_html(blocks, title="report")
    assert "Leaked &lt;backup&gt;" in page
    assert "<backup>" not in page
    assert page.startswith("<!DOCTYPE html>")
