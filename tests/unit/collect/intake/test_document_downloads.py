"""Document downloads count against the reader's hourly volume limit, like profile reads."""

from __future__ import annotations

import hashlib
import os
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

import pytest

from strongroom.access.permissions import ROLES
from strongroom.access.volume import charge
from strongroom.adapters.memory import MemoryUnitOfWorkFactory
from strongroom.adapters.sealed_files import DirectorySealedFileStore
from strongroom.audit.service import AuditLog
from strongroom.collect.intake.documents import DocumentService
from strongroom.core.errors import VolumeLimitedError
from strongroom.core.intake import StoredDocument
from strongroom.core.models import Actor, CustomerId, PrincipalKind, StoredCustomer
from strongroom.core.trail import AuditAction
from strongroom.vault.documents import DOCUMENT, seal_chunks
from strongroom.vault.keyring import Keyring
from strongroom.vault.rootkey import LocalRootKey
from strongroom.vault.service import SubjectVault

from ....conftest import StaffTrainer

NOW = datetime.now(UTC)
CUSTOMER = CustomerId("c-1")
DPO = Actor(PrincipalKind.STAFF, "dora", "dpo")
CONTENT = b"scanned passport, page 1"
DOC_ID = str(uuid.uuid4())


class Clock:
    def now(self) -> datetime:
        return NOW


@pytest.fixture
def service(tmp_path: Path, train_staff: StaffTrainer) -> tuple[DocumentService, Any]:
    root = LocalRootKey(os.urandom(32))
    vault = SubjectVault(Keyring.open(root, Keyring.create_initial(root, now=NOW)))
    factory, store = MemoryUnitOfWorkFactory(), DirectorySealedFileStore(tmp_path)
    key, wrapped = vault.new_subject_key(CUSTOMER)
    document = StoredDocument(
        DOC_ID, CUSTOMER, "pdf", "application/pdf", len(CONTENT),
        hashlib.sha256(CONTENT).hexdigest(), NOW, "staff:dora",
    )  # fmt: skip
    store.write(document.id, seal_chunks(key, purpose=DOCUMENT, file_id=DOC_ID, chunks=[CONTENT]))
    with factory() as uow:
        uow.customers.add([StoredCustomer(CUSTOMER, NOW, NOW)])
        uow.subject_keys.add([wrapped])
        uow.documents.add([document])
        uow.commit()
    train_staff(factory, DPO)
    documents = DocumentService(
        uow_factory=factory,
        audit=AuditLog(Clock()),
        clock=Clock(),
        vault=vault,
        pipeline=cast(Any, None),  # downloads never admit a file
        store=store,
    )
    return documents, factory


def _actions(factory: Any) -> list[AuditAction]:
    with factory() as uow:
        return [entry.draft.action for entry in uow.audit.scan()]


def test_a_download_counts_one_record_and_the_one_over_the_cap_is_refused(
    service: tuple[DocumentService, Any],
) -> None:
    documents, factory = service
    cap = ROLES["dpo"].volume_per_hour
    assert cap is not None
    with factory() as uow:
        assert charge(uow, actor=DPO, records=cap - 1, now=NOW) is None
        uow.commit()
    got = documents.download(actor=DPO, customer_id=CUSTOMER, document_id=DOC_ID)
    assert b"".join(got.chunks) == CONTENT
    with pytest.raises(VolumeLimitedError):
        documents.download(actor=DPO, customer_id=CUSTOMER, document_id=DOC_ID)
    actions = _actions(factory)
    assert actions.count(AuditAction.DOCUMENT_DOWNLOADED) == 1
    assert actions[-1] is AuditAction.VOLUME_EXCEEDED
