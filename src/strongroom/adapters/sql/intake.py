"""SQL repositories of safe file intake: documents and the quarantine."""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from dataclasses import asdict
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Connection, Row

from strongroom.adapters.paging import check_limit
from strongroom.adapters.sql._support import chunked, domain_errors, unique, write
from strongroom.adapters.sql.tables_intake import documents, quarantine
from strongroom.core.errors import NotFoundError
from strongroom.core.intake import IntakeChannel, QuarantinedFile, QuarantineStatus, StoredDocument
from strongroom.core.models import CustomerId


def _document(row: Row[Any]) -> StoredDocument:
    return StoredDocument(
        id=row.id,
        customer_id=CustomerId(row.customer_id),
        extension=row.extension,
        media_type=row.media_type,
        size=row.size,
        sha256=row.sha256,
        stored_at=row.stored_at,
        stored_by=row.stored_by,
    )


def _quarantine_row(item: QuarantinedFile) -> dict[str, Any]:
    row = asdict(item)
    row["channel"], row["status"] = item.channel.value, item.status.value
    return row


def _quarantined(row: Row[Any]) -> QuarantinedFile:
    values = dict(row._mapping)
    values["channel"] = IntakeChannel(values["channel"])
    values["status"] = QuarantineStatus(values["status"])
    values["wrapped_key"] = bytes(values["wrapped_key"])
    if values["customer_id"] is not None:
        values["customer_id"] = CustomerId(values["customer_id"])
    return QuarantinedFile(**values)


class SqlDocumentRepository:
    """Document records; the sealed files are elsewhere."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def add(self, new: Sequence[StoredDocument]) -> None:
        write(self._connection, insert(documents), [asdict(document) for document in new])

    def get(self, document_id: str) -> StoredDocument | None:
        statement = select(documents).where(documents.c.id == document_id)
        row = self._connection.execute(statement).first()
        return None if row is None else _document(row)

    def for_customer(self, customer_id: CustomerId) -> builtins.list[StoredDocument]:
        statement = (
            select(documents)
            .where(documents.c.customer_id == customer_id)
            .order_by(documents.c.stored_at, documents.c.id)
        )
        return [_document(row) for row in self._connection.execute(statement)]


class SqlQuarantineRepository:
    """Quarantine records, each with the wrapped key of its sealed file."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def add(self, items: Sequence[QuarantinedFile]) -> None:
        write(self._connection, insert(quarantine), [_quarantine_row(item) for item in items])

    def get(self, item_id: str) -> QuarantinedFile | None:
        row = self._connection.execute(select(quarantine).where(quarantine.c.id == item_id)).first()
        return None if row is None else _quarantined(row)

    def update(self, item: QuarantinedFile) -> None:
        statement = (
            update(quarantine).where(quarantine.c.id == item.id).values(_quarantine_row(item))
        )
        with domain_errors():
            changed = self._connection.execute(statement).rowcount
        if changed != 1:
            raise NotFoundError(f"no quarantined file with id {item.id!r}")

    def list(self, *, limit: int = 100) -> builtins.list[QuarantinedFile]:
        check_limit(limit)
        statement = (
            select(quarantine)
            .order_by(quarantine.c.quarantined_at.desc(), quarantine.c.id)
            .limit(limit)
        )
        return [_quarantined(row) for row in self._connection.execute(statement)]

    def quarantined_before(self, when: datetime) -> builtins.list[QuarantinedFile]:
        statement = (
            select(quarantine)
            .where(quarantine.c.quarantined_at < when)
            .order_by(quarantine.c.quarantined_at, quarantine.c.id)
        )
        return [_quarantined(row) for row in self._connection.execute(statement)]

    def delete(self, item_ids: Sequence[str]) -> int:
        removed = 0
        for chunk in chunked(unique(item_ids)):
            statement = delete(quarantine).where(quarantine.c.id.in_(chunk))
            removed += self._connection.execute(statement).rowcount
        return removed
