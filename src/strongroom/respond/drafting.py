"""The notice use case: draft one notice of an incident in Markdown, HTML or PDF, and record it.

The incident is read with its suspects' entries synced (the report shows the timeline); the
notice is rendered before anything is recorded, so a rendering failure leaves no trace of a
draft that nobody received.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from strongroom.core.errors import ConfigurationError, InvalidInputError
from strongroom.core.incidents import Block, PdfRenderer
from strongroom.core.models import Actor
from strongroom.respond.models import IncidentView, parse_choice
from strongroom.respond.notices import (
    NoticeFacts,
    NoticeFormat,
    NoticeKind,
    draft,
    record_draft,
    to_html,
    to_markdown,
)
from strongroom.respond.service import IncidentService


def parse_notice_kind(value: str) -> NoticeKind:
    return parse_choice(NoticeKind, value, "notice kind")


def parse_notice_format(value: str) -> NoticeFormat:
    return parse_choice(NoticeFormat, value, "notice format")


def parse_country_counts(values: list[str]) -> dict[str, int]:
    """``DE:12`` items as {"DE": 12} (``unknown:3`` too, as a blast radius counts them)."""
    counts: dict[str, int] = {}
    for value in values:
        code, _, number = value.partition(":")
        if not (2 <= len(code) <= 20 and code.isalpha() and number.isdigit()):
            raise InvalidInputError(
                f"country {value!r}: use a country code and a count, e.g. DE:12"
            )
        counts[code if code == "unknown" else code.upper()] = int(number)
    return counts


@dataclass(frozen=True, slots=True)
class RenderedNotice:
    kind: NoticeKind
    format: NoticeFormat
    content: bytes
    filename: str  # a suggested file name, e.g. ``authority-notice-1a2b3c4d.pdf``

    @property
    def media_type(self) -> str:
        return self.format.media_type


class NoticeDrafter:
    """Drafts notices; ``views`` reads an incident (synced), ``pdf`` renders PDF if given."""

    def __init__(
        self,
        *,
        incidents: IncidentService,
        views: Callable[[str], IncidentView],
        pdf: PdfRenderer | None,
    ) -> None:
        self._incidents, self._views, self._pdf = incidents, views, pdf

    def draft(
        self,
        *,
        actor: Actor,
        incident_id: str,
        kind: NoticeKind,
        output: NoticeFormat,
        facts: NoticeFacts,
    ) -> RenderedNotice:
        """The notice, rendered; its drafting is audited and put on the timeline."""
        view = self._views(incident_id)
        title = f"{kind.value} notice {incident_id}"
        content = self._render(draft(kind, view, facts), output, title)
        record_draft(self._incidents, actor=actor, incident_id=incident_id, kind=kind)
        filename = f"{kind.value}-notice-{incident_id[:8]}{output.suffix}"
        return RenderedNotice(kind, output, content, filename)

    def _render(self, blocks: list[Block], output: NoticeFormat, title: str) -> bytes:
        if output is NoticeFormat.MARKDOWN:
            return to_markdown(blocks).encode("utf-8")
        if output is NoticeFormat.HTML:
            return to_html(blocks, title=title).encode("utf-8")
        if self._pdf is None:
            raise ConfigurationError("PDF notices are not available in this process")
        return self._pdf.render(blocks, title=title)
