"""Carrying out a verified data-subject request over HTTP: export (Art. 15), rectification
(Art. 16) and erasure (Art. 17), each as the CLI's ``strongroom privacy`` command does it.

An export answers with the file itself: the JSON document or a zip of CSV tables, as an
attachment that is never cached. Both hold the person's data in plain text.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Response

from strongroom.api.deps import AppDep, CurrentActor
from strongroom.api.routes.erasure import ErasureReceiptOut
from strongroom.api.routes.privacy_models import (
    ExportIn,
    RectificationIn,
    RectifiedOut,
    RequestErasureIn,
)
from strongroom.api.routes.privacy_requests import RequestIdPath, refuse_other_purpose
from strongroom.bootstrap.privacy import export_subject_bytes

router = APIRouter(
    prefix="/api/v1/privacy/requests",
    tags=["privacy"],
    dependencies=[Depends(refuse_other_purpose)],
)

# The bodies sent when there is none (the models are frozen, so one instance serves all).
_JSON_EXPORT = ExportIn()
_NO_REASON = RequestErasureIn()

_EXPORT_MEDIA_TYPES = {
    "application/json": {"description": "The export document (strongroom-subject-export/1)"},
    "application/zip": {"description": "One CSV file per table"},
}


@router.post(
    "/{request_id}/export",
    response_class=Response,
    responses={200: {"content": _EXPORT_MEDIA_TYPES}},
)
def export_request(
    app: AppDep, actor: CurrentActor, request_id: RequestIdPath, body: ExportIn = _JSON_EXPORT
) -> Response:
    """Everything held on the requester, decrypted, with who accessed it (audited)."""
    exported = export_subject_bytes(
        app.privacy, actor=actor, request_id=request_id, csv_bundle=body.format == "csv"
    )
    return Response(
        content=exported.content,
        media_type=exported.media_type,
        headers={"Content-Disposition": f'attachment; filename="{exported.filename}"'},
    )


@router.post("/{request_id}/rectify")
def rectify_request(
    app: AppDep, actor: CurrentActor, request_id: RequestIdPath, body: RectificationIn
) -> RectifiedOut:
    """Correct one field of the requester's profile; the audit entry names the field only."""
    app.privacy.rectifier.rectify(
        actor=actor, request_id=request_id, field=body.field, value=body.value
    )
    return RectifiedOut(request_id=request_id, field=body.field)


@router.post("/{request_id}/erase")
def erase_for_request(
    app: AppDep,
    actor: CurrentActor,
    request_id: RequestIdPath,
    body: RequestErasureIn = _NO_REASON,
) -> ErasureReceiptOut:
    """Erase the requester by crypto-shredding; answers with the signed receipt."""
    receipt = app.privacy.eraser.erase(actor=actor, request_id=request_id, reason=body.reason)
    return ErasureReceiptOut.from_receipt(receipt)
