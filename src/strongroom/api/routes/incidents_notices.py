"""Notices over HTTP: ``GET /api/v1/incidents/{id}/notices/{kind}?format=markdown|html|pdf``.

The facts the drafts need beyond the incident come as query parameters (a GET has no body):
the organisation and contact point, and the counts of a blast radius. Drafting is audited
(``incident.notice_drafted``) and put on the timeline, as at the CLI.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from strongroom.api.deps import AppDep
from strongroom.api.routes.incident_access import Responder
from strongroom.respond.drafting import (
    parse_country_counts,
    parse_notice_format,
    parse_notice_kind,
)
from strongroom.respond.notices import NoticeFacts

router = APIRouter(prefix="/api/v1/incidents", tags=["incidents"])

Text = Annotated[str, Query(min_length=1, max_length=500)]
Count = Annotated[int, Query(ge=0, le=10**10)]


@router.get(
    "/{incident_id}/notices/{kind}",
    response_class=Response,
    responses={
        200: {
            "content": {"text/markdown": {}, "text/html": {}, "application/pdf": {}},
            "description": "The notice in the format asked for",
        }
    },
)
def draft_notice(
    app: AppDep,
    actor: Responder,
    *,
    incident_id: str,
    kind: str,
    organisation: Text,
    contact: Text,
    output_format: Annotated[str, Query(alias="format", max_length=20)] = "markdown",
    subjects: Count = 0,
    records: Count = 0,
    data_class: Annotated[list[str] | None, Query(max_length=20)] = None,
    country: Annotated[list[str] | None, Query(description="e.g. DE:12", max_length=300)] = None,
    exemption: bool = False,
) -> Response:
    """Draft the authority notice, the letter to data subjects or the post-incident report."""
    chosen_kind, chosen = parse_notice_kind(kind), parse_notice_format(output_format)
    facts = NoticeFacts(
        organisation,
        contact,
        subjects=subjects,
        records=records,
        data_classes=tuple(data_class or ()),
        by_country=parse_country_counts(country or []),
        exemption_applies=exemption,
    )
    notice = app.respond.notices.draft(
        actor=actor, incident_id=incident_id, kind=chosen_kind, output=chosen, facts=facts
    )
    disposition = "attachment" if chosen.value == "pdf" else "inline"
    return Response(
        notice.content,
        media_type=notice.media_type,
        headers={"Content-Disposition": f'{disposition}; filename="{notice.filename}"'},
    )
