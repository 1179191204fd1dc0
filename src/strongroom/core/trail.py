"""Audit entries: what the audit log records, declared once. The log itself lives in ``audit``."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum, StrEnum


class AuditAction(Enum):
    """Every act the audit log records; the value is the stored name, then its description."""

    SYSTEM_INITIALISED = ("system.initialised", "A data home was initialised")
    INGEST_BATCH = ("collect.ingest", "A batch of tracking calls was stored")
    CUSTOMER_READ = ("customer.read", "A customer profile was read")
    CUSTOMER_SEARCH = ("customer.search", "Customers were looked up by an identifier")
    AUTH_FAILED = ("auth.failed", "A request presented missing, unknown or revoked credentials")
    ACCESS_DENIED = ("access.denied", "The policy refused an authenticated request")
    SOURCE_CREATED = ("source.created", "A source and its write key were created")
    TOKEN_CREATED = ("token.created", "A staff API token was issued")
    TOKEN_REVOKED = ("token.revoked", "A staff API token was revoked")
    CARD_DETOKENIZED = ("card.detokenized", "A card number was revealed from its token")
    CUSTOMER_ERASED = ("customer.erased", "A customer was erased by destroying their data key")
    ERASURE_REAPPLIED = ("erasure.reapplied", "A restore re-applied an erasure from the ledger")
    BACKUP_CREATED = ("backup.created", "An encrypted backup of the database was made")
    BACKUP_RESTORED = ("backup.restored", "The database was restored from an encrypted backup")
    KEY_VERSION_ADDED = ("key.version_added", "A new version of a keyring key was created")
    KEYS_REWRAPPED = ("key.rewrapped", "Customer keys were re-wrapped under the current KEK")
    INDEXES_REBUILT = ("key.reindexed", "Blind indexes were rebuilt under the current version")
    KEY_VERSION_RETIRED = ("key.retired", "A key version no longer in use was destroyed")
    ROOT_KEY_ROTATED = ("key.root_rotated", "The keyring was re-wrapped under a new root key")
    AUDIT_VERIFIED = ("audit.verified", "The audit log was read in full to verify it")
    AUDIT_PROOF_ISSUED = ("audit.proof_issued", "An inclusion proof of an audit entry was read")
    AUDIT_EXPORTED = ("audit.exported", "Audit entries were exported, e.g. for a SIEM")
    AUDIT_CHECKPOINTED = ("audit.checkpointed", "A signed checkpoint of the audit log was made")
    SUSPICIOUS_INPUT = ("security.suspicious_input", "A request carried injection-shaped input")
    HONEYTOKENS_PLANTED = ("honeytoken.planted", "Canary customers were planted in the store")
    MONITOR_SCANNED = ("monitor.scanned", "The detectors were run over the audit log")
    ALERT_ACKNOWLEDGED = ("alert.acknowledged", "An alert was acknowledged by staff")
    ALERT_CLOSED = ("alert.closed", "An alert was closed by staff")

    def __init__(self, stored_name: str, description: str) -> None:
        self.stored_name = stored_name
        self.description = description

    @classmethod
    def from_stored(cls, stored_name: str) -> AuditAction:
        for action in cls:
            if action.stored_name == stored_name:
                return action
        raise ValueError(f"unknown audit action {stored_name!r}")


class Outcome(StrEnum):
    SUCCESS = "success"
    DENIED = "denied"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class AuditDraft:
    """An act to record. Names records and data classes, never the values themselves."""

    actor: str
    action: AuditAction
    outcome: Outcome
    resource_type: str
    resource_ids: tuple[str, ...] = ()
    data_classes: tuple[str, ...] = ()
    purpose: str | None = None
    detail: dict[str, str | int] = field(default_factory=dict)
    origin: Origin | None = None  # where the request came from, when it came over the network


@dataclass(frozen=True, slots=True)
class Origin:
    """Where an act came from: what monitoring needs to notice a new place or tool."""

    ip: str | None = None
    user_agent: str | None = None
    request_id: str | None = None


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """A recorded act, chained to the one before it by ``prev_hash``."""

    seq: int
    occurred_at: datetime
    draft: AuditDraft
    prev_hash: bytes
    entry_hash: bytes
    # RFC 6962 leaf hash of the canonical entry (audit.chain makes it); empty only in hand-made
    # test entries, which verification then reports as changed.
    leaf_hash: bytes = b""


@dataclass(frozen=True, slots=True)
class AuditHead:
    """The newest entry's position and hash (seq 0 and the genesis hash when empty)."""

    seq: int
    entry_hash: bytes


GENESIS_HASH = bytes(32)


@dataclass(frozen=True, slots=True)
class AuditCheckpoint:
    """A signed tree head of the audit log as stored, and where exporting it failed."""

    tree_size: int
    root_hash: bytes
    created_at: datetime
    key_version: int
    document: str  # the signed checkpoint, canonical JSON: exactly what the sinks received
    frontier: tuple[bytes, ...]  # roots of the tree's perfect subtrees, to extend it cheaply
    export_errors: dict[str, str] = field(default_factory=dict)  # sink -> what went wrong
