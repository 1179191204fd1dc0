"""Notices drafted from an incident: to the authority (GDPR Art. 33(3)), to data subjects in
plain language (Art. 34(2), with California's five headings), and the post-incident report.

Drafts are a small document model (``core.incidents.Block``) rendered here to Markdown and to
HTML (escaped, no template engine), and to PDF by the ``PdfRenderer`` port (an fpdf2 adapter).
They hold counts and classes only, never personal data.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from enum import StrEnum

from strongroom.core.incidents import Block, TimelineKind
from strongroom.core.models import Actor
from strongroom.core.trail import AuditAction, AuditDraft, Outcome
from strongroom.respond.models import IncidentView
from strongroom.respond.service import PURPOSE, IncidentService

CALIFORNIA_HEADINGS = (
    "What Happened",
    "What Information Was Involved",
    "What We Are Doing",
    "What You Can Do",
    "For More Information",
)


class NoticeKind(StrEnum):
    AUTHORITY = "authority"
    SUBJECTS = "subjects"
    REPORT = "report"


class NoticeFormat(StrEnum):
    MARKDOWN = "markdown"
    HTML = "html"
    PDF = "pdf"

    @property
    def media_type(self) -> str:
        return _MEDIA_TYPES[self]

    @property
    def suffix(self) -> str:
        return {"markdown": ".md", "html": ".html", "pdf": ".pdf"}[self.value]


_MEDIA_TYPES = {
    NoticeFormat.MARKDOWN: "text/markdown; charset=utf-8",
    NoticeFormat.HTML: "text/html; charset=utf-8",
    NoticeFormat.PDF: "application/pdf",
}


@dataclass(frozen=True, slots=True)
class NoticeFacts:
    """What the drafts say beyond the incident record; the blast radius supplies the counts."""

    organisation: str
    contact: str  # the DPO or another contact point (Art. 33(3)(b))
    subjects: int = 0
    records: int = 0
    data_classes: tuple[str, ...] = ()
    by_country: dict[str, int] = field(default_factory=dict)
    exemption_applies: bool = False
    what_happened: str = "[describe what happened, when, and how it was found]"
    consequences: str = "[describe the likely consequences for the people affected]"
    measures: str = "[describe the measures taken or proposed, and to limit the harm]"


def _h(text: str, level: int = 2) -> Block:
    return Block("heading", text, level=level)


def _p(text: str) -> Block:
    return Block("paragraph", text)


def _ul(*items: str) -> Block:
    return Block("bullets", items=items)


def _classes(facts: NoticeFacts) -> str:
    return ", ".join(facts.data_classes) if facts.data_classes else "[the kinds of data]"


def authority_notice(view: IncidentView, facts: NoticeFacts) -> list[Block]:
    """Art. 33(3) (a) to (d), in that order, with the dates the 72 hours run from."""
    incident = view.incident
    return [
        _h(f"Personal data breach notification: {facts.organisation}", 1),
        _p(f"Incident {incident.id}. Became aware: {incident.aware_at.isoformat()}."),
        _h("(a) Nature of the breach"),
        _p(facts.what_happened),
        _ul(
            f"Approximate number of data subjects concerned: {facts.subjects}",
            f"Approximate number of records concerned: {facts.records}",
            f"Categories of personal data: {_classes(facts)}",
            "Data subjects by country: "
            + (", ".join(f"{k} {v}" for k, v in facts.by_country.items()) or "[unknown]"),
        ),
        _h("(b) Contact point"),
        _p(facts.contact),
        _h("(c) Likely consequences"),
        _p(facts.consequences),
        _h("(d) Measures taken or proposed"),
        _p(facts.measures),
        _ul(*_actions_taken(view)),
    ]


def subject_letter(view: IncidentView, facts: NoticeFacts) -> list[Block]:
    """A plain-language letter under California's five headings (also meets Art. 34(2))."""
    return [
        _h(f"Notice of Data Breach from {facts.organisation}", 1),
        _h(CALIFORNIA_HEADINGS[0]),
        _p(facts.what_happened),
        _h(CALIFORNIA_HEADINGS[1]),
        _p(f"The information involved was: {_classes(facts)}."),
        _h(CALIFORNIA_HEADINGS[2]),
        _p(facts.measures),
        _h(CALIFORNIA_HEADINGS[3]),
        _p(
            "Watch for messages that ask for your password or payment details, change any "
            "password you used with us, and tell us at once if you see activity you do not "
            "recognise."
        ),
        _h(CALIFORNIA_HEADINGS[4]),
        _p(f"Contact {facts.contact}. Please quote reference {view.incident.id[:8]}."),
    ]


def post_incident_report(view: IncidentView, facts: NoticeFacts) -> list[Block]:
    """The record of the incident: summary, roles, tasks, timeline, and lessons to fill in."""
    incident = view.incident
    roles = [f"{a.role.value}: {a.assignee}" for a in view.roles] or ["[none assigned]"]
    tasks = [f"[{t.status.value}] {t.title}" for t in view.tasks] or ["[none]"]
    timeline = [
        f"{e.draft.at.isoformat(timespec='seconds')} {e.draft.kind.value} ({e.draft.actor}): "
        f"{e.draft.text}"
        for e in view.timeline
    ]
    exemption = "applies" if facts.exemption_applies else "does not apply"
    return [
        _h(f"Post-incident report: {incident.title}", 1),
        _ul(
            f"Incident: {incident.id}",
            f"Severity: {incident.severity.value}; status: {incident.status.value}",
            f"Aware at: {incident.aware_at.isoformat()}; opened by {incident.opened_by}",
            f"Customers touched: {facts.subjects}; encryption exemption {exemption}",
        ),
        _h("Roles"),
        _ul(*roles),
        _h("Tasks"),
        _ul(*tasks),
        _h("Timeline"),
        _ul(*timeline),
        _h("Lessons learned"),
        _p("[what worked, what did not, and what will change]"),
    ]


def _actions_taken(view: IncidentView) -> list[str]:
    done = [e.draft.text for e in view.timeline if e.draft.detail.get("result") == "succeeded"]
    return done or ["[no containment actions recorded yet]"]


def draft(kind: NoticeKind, view: IncidentView, facts: NoticeFacts) -> list[Block]:
    builders = {
        NoticeKind.AUTHORITY: authority_notice,
        NoticeKind.SUBJECTS: subject_letter,
        NoticeKind.REPORT: post_incident_report,
    }
    return builders[kind](view, facts)


def to_markdown(blocks: list[Block]) -> str:
    lines: list[str] = []
    for block in blocks:
        if block.kind == "heading":
            lines += ["#" * block.level + " " + block.text, ""]
        elif block.kind == "paragraph":
            lines += [block.text, ""]
        else:
            lines += [f"- {item}" for item in block.items] + [""]
    return "\n".join(lines)


def to_html(blocks: list[Block], *, title: str) -> str:
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{html.escape(title)}</title></head><body>",
    ]
    for block in blocks:
        if block.kind == "heading":
            parts.append(f"<h{block.level}>{html.escape(block.text)}</h{block.level}>")
        elif block.kind == "paragraph":
            parts.append(f"<p>{html.escape(block.text)}</p>")
        else:
            items = "".join(f"<li>{html.escape(item)}</li>" for item in block.items)
            parts.append(f"<ul>{items}</ul>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def record_draft(
    incidents: IncidentService, *, actor: Actor, incident_id: str, kind: NoticeKind
) -> None:
    """Put the drafting of a notice on the incident's timeline and in the audit log."""
    audit = AuditDraft(
        actor=actor.label,
        action=AuditAction.NOTICE_DRAFTED,
        outcome=Outcome.SUCCESS,
        resource_type="incident",
        resource_ids=(incident_id,),
        purpose=PURPOSE,
        detail={"notice": kind.value},
        origin=actor.origin,
    )
    incidents.record_event(
        incident_id=incident_id,
        actor=actor.label,
        kind=TimelineKind.REPORT,
        text=f"Drafted the {kind.value} notice",
        detail={"notice": kind.value},
        audit=audit,
    )
