"""Customers' documents: admitted by the intake pipeline, sealed under the customer's own key.

A document is stored as a sealed file named by a random id, never by the uploader's name, and
its record names the customer. Erasing the customer destroys their key, and with it every
document: the sealed files stay, unreadable. Uploads, listings and downloads go through the
policy and into the audit log.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from strongroom.access.gate import authorise
from strongroom.access.permissions import Permission
from strongroom.access.volume import charge, refusal
from strongroom.collect.intake.files import read_chunks
from strongroom.collect.intake.pipeline import IntakePipeline, Upload
from strongroom.core.clock import Clock
from strongroom.core.errors import CustomerErasedError, NotFoundError
from strongroom.core.intake import IntakeChannel, SealedFileStore, StoredDocument
from strongroom.core.models import Actor, CustomerId
from strongroom.core.ports import AuditTrail, UnitOfWork, UnitOfWorkFactory
from strongroom.core.schema import DataClass
from strongroom.core.trail import AuditAction, AuditDraft, Outcome
from strongroom.vault.documents import DOCUMENT, open_chunks, seal_chunks
from strongroom.vault.service import SubjectVault

_RESOURCE = "document"


@dataclass(frozen=True, slots=True)
class Download:
    """A document being read: its record and its plaintext, streamed."""

    document: StoredDocument
    chunks: Iterator[bytes]

    @property
    def filename(self) -> str:
        return f"document-{self.document.id}.{self.document.extension}"


class DocumentService:
    """Upload, list and download customers' documents through the policy and the pipeline."""

    def __init__(
        self,
        *,
        uow_factory: UnitOfWorkFactory,
        audit: AuditTrail,
        clock: Clock,
        vault: SubjectVault,
        pipeline: IntakePipeline,
        store: SealedFileStore,
    ) -> None:
        self._uow_factory, self._audit, self._clock = uow_factory, audit, clock
        self._vault, self._pipeline, self._store = vault, pipeline, store

    def upload(
        self,
        *,
        actor: Actor,
        customer_id: CustomerId,
        path: Path,
        name: str,
        purpose: str | None = None,
    ) -> StoredDocument:
        """Admit the file at ``path`` and store it sealed for the customer; audited."""
        stated, key = self._check_upload(actor, customer_id, purpose)
        upload = Upload(path, name, IntakeChannel.DOCUMENT, customer_id)
        admitted = self._pipeline.admit(upload, actor=actor)
        document = StoredDocument(
            id=str(uuid.uuid4()),
            customer_id=customer_id,
            extension=admitted.file_type.extension,
            media_type=admitted.file_type.served_as,
            size=admitted.size,
            sha256=admitted.sha256,
            stored_at=self._clock.now(),
            stored_by=actor.label,
        )
        sealed = seal_chunks(key, purpose=DOCUMENT, file_id=document.id, chunks=read_chunks(path))
        self._store.write(document.id, sealed)
        try:
            with self._uow_factory() as uow:
                uow.documents.add([document])
                self._audit.record(
                    uow, [_draft(actor, AuditAction.DOCUMENT_UPLOADED, document, stated)]
                )
                uow.commit()
        except BaseException:
            self._store.delete(document.id)
            raise
        return document

    def check_upload(
        self, *, actor: Actor, customer_id: CustomerId, purpose: str | None = None
    ) -> None:
        """Refuse an upload before its bytes arrive: a role that may not, an unknown customer."""
        self._check_upload(actor, customer_id, purpose)

    def _check_upload(
        self, actor: Actor, customer_id: CustomerId, purpose: str | None
    ) -> tuple[str, bytes]:
        stated = self._authorise(actor, Permission.DOCUMENTS_UPLOAD, purpose)
        with self._uow_factory() as uow:
            return stated, self._subject_key(uow, customer_id)

    def list_documents(
        self, *, actor: Actor, customer_id: CustomerId, purpose: str | None = None
    ) -> list[StoredDocument]:
        """The customer's documents (records only); audited."""
        stated = self._authorise(actor, Permission.DOCUMENTS_READ, purpose)
        with self._uow_factory() as uow:
            if customer_id not in uow.customers.get_many([customer_id]):
                raise NotFoundError(f"no customer with id {customer_id!r}")
            documents = uow.documents.for_customer(customer_id)
            draft = AuditDraft(
                actor=actor.label,
                action=AuditAction.DOCUMENTS_LISTED,
                outcome=Outcome.SUCCESS,
                resource_type="customer",
                resource_ids=(customer_id,),
                purpose=stated,
                detail={"count": len(documents)},
                origin=actor.origin,
            )
            self._audit.record(uow, [draft])
            uow.commit()
        return documents

    def download(
        self,
        *,
        actor: Actor,
        customer_id: CustomerId,
        document_id: str,
        purpose: str | None = None,
    ) -> Download:
        """One document, decrypted as it streams; audited before the first byte leaves and
        counted as one record against the role's hourly volume limit."""
        stated = self._authorise(actor, Permission.DOCUMENTS_READ, purpose)
        now = self._clock.now()
        with self._uow_factory() as uow:
            document = uow.documents.get(document_id)
            if document is None or document.customer_id != customer_id:
                raise NotFoundError(f"customer {customer_id} has no document {document_id!r}")
            key = self._subject_key(uow, customer_id)
            over = charge(uow, actor=actor, records=1, now=now)
            if over is None:
                self._audit.record(
                    uow, [_draft(actor, AuditAction.DOCUMENT_DOWNLOADED, document, stated)]
                )
                uow.commit()
        if over is not None:
            raise refusal(
                uow_factory=self._uow_factory, audit=self._audit, actor=actor, limit=over, now=now
            )
        chunks = self._decrypted(key, document.id)
        first = next(chunks)  # a file that does not open fails here, before any answer starts
        return Download(document, itertools.chain([first], chunks))

    def _decrypted(self, key: bytes, document_id: str) -> Iterator[bytes]:
        with self._store.open(document_id) as sealed:
            yield from open_chunks(key, purpose=DOCUMENT, file_id=document_id, sealed=sealed)

    def _subject_key(self, uow: UnitOfWork, customer_id: CustomerId) -> bytes:
        if customer_id not in uow.customers.get_many([customer_id]):
            raise NotFoundError(f"no customer with id {customer_id!r}")
        wrapped = uow.subject_keys.get_many([customer_id]).get(customer_id)
        if wrapped is None:
            raise CustomerErasedError(
                f"customer {customer_id} was erased: their documents cannot be read or added"
            )
        return self._vault.open_subject_key(wrapped)

    def _authorise(self, actor: Actor, permission: Permission, purpose: str | None) -> str:
        return authorise(
            uow_factory=self._uow_factory,
            audit=self._audit,
            actor=actor,
            permission=permission,
            purpose=purpose,
            resource_type=_RESOURCE,
        )


def _draft(actor: Actor, action: AuditAction, document: StoredDocument, purpose: str) -> AuditDraft:
    return AuditDraft(
        actor=actor.label,
        action=action,
        outcome=Outcome.SUCCESS,
        resource_type=_RESOURCE,
        resource_ids=(document.customer_id, document.id),
        data_classes=(DataClass.PII.value,),
        purpose=purpose,
        detail={"size": document.size, "extension": document.extension},
        origin=actor.origin,
    )
