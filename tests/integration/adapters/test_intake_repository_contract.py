"""The document and quarantine repositories behave alike on the fakes, SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from strongroom.core.errors import ConflictError, NotFoundError
from strongroom.core.intake import IntakeChannel, QuarantinedFile, QuarantineStatus, StoredDocument

from .conftest import T0, Seeded


def _document(seeded: Seeded, n: int) -> StoredDocument:
    return StoredDocument(
        id=f"00000000-0000-0000-0000-{n:012d}",
        customer_id=seeded.customer.id,
        extension="pdf",
        media_type="application/pdf",
        size=1000 + n,
        sha256=f"{n:064x}",
        stored_at=T0 + timedelta(minutes=10 - n),
        stored_by="staff:ann",
    )


def _item(n: int, **changes: object) -> QuarantinedFile:
    item = QuarantinedFile(
        id=f"10000000-0000-0000-0000-{n:012d}",
        channel=IntakeChannel.IMPORT,
        reason="malware_detected",
        detector="clamd",
        signature="Strongroom.Test.EICAR.UNOFFICIAL",
        sha256=f"{n:064x}",
        size=68,
        original_name="partner_feed.csv",
        wrapped_key=bytes(range(60)),
        kek_version=1,
        quarantined_at=T0 + timedelta(days=n),
        quarantined_by="local:ops",
    )
    return replace(item, **changes)  # type: ignore[arg-type]


def test_documents_come_back_as_stored_oldest_first(uow_factory, seeded: Seeded) -> None:
    documents = [_document(seeded, n) for n in (1, 2)]
    with uow_factory() as uow:
        uow.documents.add(documents)
        uow.commit()
    with uow_factory() as uow:
        assert uow.documents.get(documents[0].id) == documents[0]
        assert uow.documents.for_customer(seeded.customer.id) == [documents[1], documents[0]]
        assert uow.documents.get("20000000-0000-0000-0000-000000000000") is None


def test_a_document_id_is_stored_once(uow_factory, seeded: Seeded) -> None:
    with uow_factory() as uow:
        uow.documents.add([_document(seeded, 1)])
        with pytest.raises(ConflictError):
            uow.documents.add([_document(seeded, 1)])


def test_quarantine_records_round_trip_update_list_and_purge(uow_factory) -> None:
    items = [_item(1), _item(2, customer_id="c-1", channel=IntakeChannel.DOCUMENT), _item(3)]
    with uow_factory() as uow:
        uow.quarantine.add(items)
        uow.commit()
    released = replace(
        items[0],
        status=QuarantineStatus.RELEASED,
        handled_by="staff:sam",
        handled_at=T0 + timedelta(days=9),
        handled_reason="case 7",
    )
    with uow_factory() as uow:
        assert uow.quarantine.get(items[1].id) == items[1]
        uow.quarantine.update(released)
        assert uow.quarantine.list(limit=2) == [items[2], items[1]]
        assert uow.quarantine.quarantined_before(T0 + timedelta(days=2, hours=1)) == [
            released,
            items[1],
        ]
        assert uow.quarantine.delete([items[1].id, "10000000-0000-0000-0000-999999999999"]) == 1
        uow.commit()
    with uow_factory() as uow:
        assert uow.quarantine.get(items[0].id) == released
        assert uow.quarantine.get(items[1].id) is None


def test_updating_an_unknown_quarantine_record_is_not_found(uow_factory) -> None:
    with uow_factory() as uow, pytest.raises(NotFoundError):
        uow.quarantine.update(_item(5))
