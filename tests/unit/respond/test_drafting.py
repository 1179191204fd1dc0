from __future__ import annotations

from collections.abc import Sequence

import pytest
from tests.pdf_text import words

from strongroom.adapters.pdf_notices import FpdfNoticeRenderer
from strongroom.core.errors import InvalidInputError, NotFoundError
from strongroom.core.incidents import Block, TimelineKind
from strongroom.core.monitoring import Severity
from strongroom.respond.drafting import (
    NoticeDrafter,
    parse_country_counts,
    parse_notice_format,
    parse_notice_kind,
)
from strongroom.respond.notices import NoticeFacts, NoticeFormat, NoticeKind

from .conftest import RESPONDER, World

FACTS = NoticeFacts("Zoë & Søn", "dpo@zoe.example", subjects=3)


class BrokenPdf:
    def render(self, blocks: Sequence[Block], *, title: str) -> bytes:
        raise RuntimeError("out of paper")


def _drafter(world: World, pdf: object = None) -> NoticeDrafter:
    renderer = FpdfNoticeRenderer(font_dirs=()) if pdf is None else pdf
    return NoticeDrafter(incidents=world.incidents, views=world.incidents.show, pdf=renderer)  # type: ignore[arg-type]


def _incident(world: World) -> str:
    return world.incidents.open_incident(actor=RESPONDER, title="x", severity=Severity.LOW).id


@pytest.mark.parametrize(
    ("output", "media_type", "starts"),
    [
        (NoticeFormat.MARKDOWN, "text/markdown; charset=utf-8", b"# Personal data breach"),
        (NoticeFormat.HTML, "text/html; charset=utf-8", b"<!DOCTYPE html>"),
        (NoticeFormat.PDF, "application/pdf", b"%PDF-"),
    ],
)
def test_a_notice_is_drafted_in_each_format_and_recorded(
    world: World, output: NoticeFormat, media_type: str, starts: bytes
) -> None:
    incident_id = _incident(world)
    notice = _drafter(world).draft(
        actor=RESPONDER,
        incident_id=incident_id,
        kind=NoticeKind.AUTHORITY,
        output=output,
        facts=FACTS,
    )
    assert notice.content.startswith(starts)
    assert notice.media_type == media_type
    assert notice.filename == f"authority-notice-{incident_id[:8]}{output.suffix}"
    last = world.incidents.show(incident_id).timeline[-1].draft
    assert (last.kind, last.detail) == (TimelineKind.REPORT, {"notice": "authority"})


def test_the_pdf_holds_the_same_words_as_the_markdown(world: World) -> None:
    incident_id = _incident(world)
    drafter = _drafter(world)
    common = {"actor": RESPONDER, "incident_id": incident_id, "facts": FACTS}
    markdown = drafter.draft(kind=NoticeKind.SUBJECTS, output=NoticeFormat.MARKDOWN, **common)
    pdf = drafter.draft(kind=NoticeKind.SUBJECTS, output=NoticeFormat.PDF, **common)
    plain = markdown.content.decode().replace("#", "")
    assert words(pdf.content).startswith(" ".join(plain.split()))


def test_a_failing_renderer_records_no_draft(world: World) -> None:
    incident_id = _incident(world)
    before = len(world.incidents.show(incident_id).timeline)
    with pytest.raises(RuntimeError):
        _drafter(world, BrokenPdf()).draft(
            actor=RESPONDER,
            incident_id=incident_id,
            kind=NoticeKind.REPORT,
            output=NoticeFormat.PDF,
            facts=FACTS,
        )
    assert len(world.incidents.show(incident_id).timeline) == before


def test_an_unknown_incident_is_not_found(world: World) -> None:
    with pytest.raises(NotFoundError):
        _drafter(world).draft(
            actor=RESPONDER,
            incident_id="missing",
            kind=NoticeKind.REPORT,
            output=NoticeFormat.HTML,
            facts=FACTS,
        )


def test_unknown_kinds_formats_and_counts_name_the_choices() -> None:
    with pytest.raises(InvalidInputError, match="authority, subjects, report"):
        parse_notice_kind("press")
    with pytest.raises(InvalidInputError, match="markdown, html, pdf"):
        parse_notice_format("docx")
    with pytest.raises(InvalidInputError, match="DE:12"):
        parse_country_counts(["Germany"])
    assert parse_country_counts(["de:12", "unknown:3"]) == {"DE": 12, "unknown": 3}
