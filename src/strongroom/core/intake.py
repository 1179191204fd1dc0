"""Safe file intake, as stored (documents, quarantined files) and the ports intake works through.

Every file Strongroom accepts (an import, a customer's document) passes one pipeline: size cap,
type allowlist checked against the bytes, malware scanners, archive limits. The scanners and the
type sniffer are reached through the Protocols here; adapters implement them.
"""

from __future__ import annotations

import builtins
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import BinaryIO, Protocol

from strongroom.core.models import CustomerId


class IntakeChannel(StrEnum):
    """How a file arrived: each has its own allowed types."""

    IMPORT = "import"  # `strongroom import`: partner files of customer data
    DOCUMENT = "document"  # a customer's document (a scanned ID, a case attachment)


class QuarantineStatus(StrEnum):
    QUARANTINED = "quarantined"
    RELEASED = "released"  # handed to an operator after review; the sealed copy stays


@dataclass(frozen=True, slots=True)
class ScanVerdict:
    """What one scanner said about a file: clean, or the name of what it found."""

    scanner: str
    signature: str | None = None  # None: nothing found

    @property
    def clean(self) -> bool:
        return self.signature is None


@dataclass(frozen=True, slots=True)
class StoredDocument:
    """A customer's document: sealed under their own key in a file named by ``id``.

    The uploader's file name is not kept (it often names the person); ``extension`` and
    ``media_type`` are what the pipeline checked.
    """

    id: str
    customer_id: CustomerId
    extension: str
    media_type: str
    size: int
    sha256: str  # of the plaintext, hex
    stored_at: datetime
    stored_by: str  # the audit actor label


@dataclass(frozen=True, slots=True)
class QuarantinedFile:
    """A refused file kept sealed for review, under a key of its own wrapped by the field KEK.

    It belongs to no customer's key: deleting the record (its wrapped key) shreds the file.
    ``original_name`` is the uploader's name reduced to safe characters, for the reviewer only.
    """

    id: str
    channel: IntakeChannel
    reason: str  # the error code: malware_detected, archive_refused, unsupported_file_type
    detector: str  # which check refused it: clamd, yara, archive, filetype
    signature: str  # what it found, e.g. the signature name or the broken limit
    sha256: str
    size: int
    original_name: str
    wrapped_key: bytes
    kek_version: int
    quarantined_at: datetime
    quarantined_by: str
    customer_id: CustomerId | None = None
    status: QuarantineStatus = QuarantineStatus.QUARANTINED
    handled_by: str | None = None
    handled_at: datetime | None = None
    handled_reason: str | None = None


class FileTypeSniffer(Protocol):
    """Names a file's type from its bytes (libmagic), never from its name."""

    def sniff(self, path: Path) -> str:
        """The MIME type the content shows, e.g. ``text/csv`` or ``application/pdf``."""
        ...


class MalwareScanner(Protocol):
    """A malware scanner. Fails closed: ``ScannerUnavailableError`` whenever it cannot answer."""

    @property
    def name(self) -> str: ...

    def check_ready(self) -> None:
        """Raise ScannerUnavailableError unless the scanner is up and has signatures."""
        ...

    def scan(self, path: Path) -> ScanVerdict:
        """Scan the file, streamed; ScannerUnavailableError if the scan did not complete."""
        ...


class SealedFileStore(Protocol):
    """A directory of sealed (encrypted) files under server-generated names."""

    def write(self, name: str, chunks: Iterator[bytes]) -> None:
        """Write ``chunks`` as the new file ``name``, atomically; ConflictError if it exists."""
        ...

    def open(self, name: str) -> BinaryIO:
        """The file ``name`` for reading; NotFoundError if it is not there."""
        ...

    def delete(self, name: str) -> bool:
        """Remove the file ``name``; False if it was not there."""
        ...


class QuarantineAlarm(Protocol):
    """Tells the monitor a file was quarantined, as an alert; never raises."""

    def file_quarantined(self, item: QuarantinedFile) -> None: ...


class DocumentRepository(Protocol):
    """Records of customers' documents (the sealed bytes live in a SealedFileStore)."""

    def add(self, documents: Sequence[StoredDocument]) -> None:
        """Store new records; ConflictError if an id exists."""
        ...

    def get(self, document_id: str) -> StoredDocument | None: ...

    def for_customer(self, customer_id: CustomerId) -> builtins.list[StoredDocument]:
        """The customer's documents, oldest first."""
        ...


class QuarantineRepository(Protocol):
    """Records of quarantined files, with the wrapped key that opens each."""

    def add(self, items: Sequence[QuarantinedFile]) -> None:
        """Store new records; ConflictError if an id exists."""
        ...

    def get(self, item_id: str) -> QuarantinedFile | None: ...

    def update(self, item: QuarantinedFile) -> None:
        """Replace the stored record of the same id; NotFoundError if there is none."""
        ...

    def list(self, *, limit: int = 100) -> builtins.list[QuarantinedFile]:
        """Records, newest first."""
        ...

    def quarantined_before(self, when: datetime) -> builtins.list[QuarantinedFile]:
        """Every record quarantined before ``when``, oldest first."""
        ...

    def delete(self, item_ids: Sequence[str]) -> int:
        """Drop these records (and so their keys); returns how many there were."""
        ...
