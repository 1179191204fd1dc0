"""Customers' documents: upload through the intake pipeline, list, download; all audited.

The upload is the raw request body (no multipart), its name in the ``filename`` query
parameter or the ``X-Filename`` header. It is received into a private staging file, cut off at
the size cap, and handed to the pipeline; nothing reads it before the scanners have.
"""

from __future__ import annotations

import re
from pathlib import Path as FilePath
from typing import Annotated

from fastapi import APIRouter, Header, Path, Query, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from strongroom.api.deps import AppDep, CurrentActor, Purpose
from strongroom.api.routes.customers import CustomerIdPath
from strongroom.bootstrap import App
from strongroom.core.errors import InvalidInputError
from strongroom.core.intake import IntakeChannel, StoredDocument
from strongroom.core.models import Actor, CustomerId

router = APIRouter(prefix="/api/v1/customers", tags=["documents"])

_ID = re.compile(r"[0-9a-f-]{1,64}")
MAX_NAME_CHARS = 255
FilenameQuery = Annotated[
    str | None, Query(max_length=MAX_NAME_CHARS, description="The file's name, for its type")
]
FilenameHeader = Annotated[str | None, Header(alias="X-Filename", max_length=MAX_NAME_CHARS)]
DocumentIdPath = Annotated[str, Path(min_length=1, max_length=64)]


class DocumentOut(BaseModel):
    id: str
    customer_id: str
    filename: str
    media_type: str
    size: int
    sha256: str
    stored_at: str

    @classmethod
    def from_document(cls, document: StoredDocument) -> DocumentOut:
        return cls(
            id=document.id,
            customer_id=document.customer_id,
            filename=f"document-{document.id}.{document.extension}",
            media_type=document.media_type,
            size=document.size,
            sha256=document.sha256,
            stored_at=document.stored_at.isoformat(),
        )


class DocumentPage(BaseModel):
    items: list[DocumentOut]


def _customer(customer_id: str) -> CustomerId:
    if not _ID.fullmatch(customer_id):
        raise InvalidInputError("customer_id: a customer id is a UUID (hex digits and '-')")
    return CustomerId(customer_id)


@router.post("/{customer_id}/documents", status_code=201)
async def upload_document(
    request: Request,
    app: AppDep,
    actor: CurrentActor,
    *,
    customer_id: CustomerIdPath,
    filename: FilenameQuery = None,
    x_filename: FilenameHeader = None,
    purpose: Purpose = None,
) -> DocumentOut:
    """Store a customer's document after the intake checks: 413, 415, 422 or 503 if refused."""
    customer, name = _customer(customer_id), filename or x_filename
    if not name:
        raise InvalidInputError("name the file: the filename query parameter or X-Filename")
    documents = app.intake.documents
    await run_in_threadpool(
        lambda: documents.check_upload(actor=actor, customer_id=customer, purpose=purpose)
    )
    with app.intake.staging_file() as path:
        await _receive(request, app, actor, path)
        document = await run_in_threadpool(
            lambda: documents.upload(
                actor=actor, customer_id=customer, path=path, name=name, purpose=purpose
            )
        )
    return DocumentOut.from_document(document)


async def _receive(request: Request, app: App, actor: Actor, path: FilePath) -> None:
    limit = app.intake.max_bytes
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise _too_large(app, actor, int(declared))
    received = 0
    with path.open("wb") as file:  # a local disk, written chunk by chunk as they arrive
        async for chunk in request.stream():
            received += len(chunk)
            if received > limit:
                raise _too_large(app, actor, received)
            file.write(chunk)


def _too_large(app: App, actor: Actor, size: int) -> Exception:
    return app.intake.pipeline.refuse_too_large(
        actor=actor, channel=IntakeChannel.DOCUMENT, size=size
    )


@router.get("/{customer_id}/documents")
def list_documents(
    app: AppDep, actor: CurrentActor, customer_id: CustomerIdPath, purpose: Purpose = None
) -> DocumentPage:
    """The customer's documents (never their content)."""
    found = app.intake.documents.list_documents(
        actor=actor, customer_id=_customer(customer_id), purpose=purpose
    )
    return DocumentPage(items=[DocumentOut.from_document(document) for document in found])


@router.get("/{customer_id}/documents/{document_id}")
def download_document(
    app: AppDep,
    actor: CurrentActor,
    customer_id: CustomerIdPath,
    document_id: DocumentIdPath,
    purpose: Purpose = None,
) -> StreamingResponse:
    """One document's content, decrypted as it streams, as an attachment."""
    if not _ID.fullmatch(document_id):
        raise InvalidInputError("document_id: a document id is a UUID (hex digits and '-')")
    download = app.intake.documents.download(
        actor=actor, customer_id=_customer(customer_id), document_id=document_id, purpose=purpose
    )
    return StreamingResponse(
        download.chunks,
        media_type=download.document.media_type,
        headers={"Content-Disposition": f'attachment; filename="{download.filename}"'},
    )
