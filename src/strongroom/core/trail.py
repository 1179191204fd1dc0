"""Audit entries: what the audit log records, declared once. The log itself lives in ``audit``."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum, StrEnum


class AuditAction(Enum):
    """Every act the audit log records; the value is the stored name, then its description."""

    SYSTEM_INITIALISED = ("system.initialised", "A data home was initialised")
    INGEST_BATCH = ("collect.ingest", "A batch of tracking calls was stored")
    IMPORT_STARTED = ("collect.import_started", "An import of a file of rows was started")
    IMPORT_FINISHED = ("collect.import_finished", "An import of a file ended; counts in detail")
    CUSTOMER_READ = ("customer.read", "A customer profile was read")
    CUSTOMER_SEARCH = ("customer.search", "Customers were looked up by an identifier")
    AUTH_FAILED = ("auth.failed", "A request presented missing, unknown or revoked credentials")
    ACCESS_DENIED = ("access.denied", "The policy refused an authenticated request")
    REQUEST_REFUSED = (
        "request.refused",
        "A malformed or hostile request was refused as bad input (400, 413, 415, 422, 431)",
    )
    VOLUME_EXCEEDED = (
        "access.volume_exceeded",
        "A principal hit its role's hourly cap on records read or exported (429)",
    )
    PII_REVEALED = ("pii.revealed", "One masked field of a customer was revealed, with a reason")
    TRAINING_RECORDED = ("staff.training_recorded", "Security training or policy ack recorded")
    APPROVAL_REQUESTED = ("approval.requested", "A four-eyes approval was requested for an act")
    APPROVAL_GRANTED = ("approval.granted", "A second person approved a four-eyes request")
    APPROVAL_USED = ("approval.used", "An approved act was carried out, using up its approval")
    APPROVAL_REFUSED = (
        "approval.refused",
        "A four-eyes check failed: own request, expired, wrong kind, changed payload, used",
    )
    CUSTOMERS_EXPORTED = (
        "customers.exported",
        "Every customer's profile was exported to a file (four eyes; count in detail, no ids)",
    )
    POLICY_APPLIED = ("policy.applied", "A new access policy file was applied (old, new version)")
    SOURCE_CREATED = ("source.created", "A source and its write key were created")
    SOURCE_KEY_ROTATED = ("source.key_rotated", "A source got a new write key; old ones expire")
    SOURCE_KEY_REVOKED = ("source.key_revoked", "A source's write key was revoked")
    SOURCE_SETTINGS_CHANGED = ("source.settings_changed", "A source's settings were changed")
    TOKEN_CREATED = ("token.created", "A staff API token was issued")
    TOKEN_REVOKED = ("token.revoked", "A staff API token was revoked")
    SERVICE_KEY_CREATED = ("service_key.created", "A service API key was issued")
    SERVICE_KEY_REVOKED = ("service_key.revoked", "A service API key was revoked")
    VENDOR_KEY_CREATED = ("vendor.created", "A vendor's key was issued (time-boxed, IP-bound)")
    VENDOR_KEY_REVOKED = ("vendor.revoked", "A vendor's key was revoked")
    APP_REGISTERED = ("app.registered", "A third-party app was registered with its scopes")
    APP_REVOKED = ("app.revoked", "A third-party app and all its tokens were revoked")
    APP_TOKEN_ISSUED = ("app.token_issued", "A third-party app was issued an access token")
    APP_GRANT_RECORDED = ("app.grant_recorded", "A customer granted an app a purpose")
    APP_GRANT_REVOKED = ("app.grant_revoked", "A customer withdrew an app's grant of a purpose")
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
    CUSTOMERS_MERGED = ("identity.merged", "Two customers were merged into one, with provenance")
    CUSTOMERS_UNMERGED = ("identity.unmerged", "A merge was undone: the moved history went back")
    MERGE_REVIEW_OPENED = ("identity.review_opened", "A merge was held for review by a person")
    MERGE_REVIEW_REJECTED = ("identity.review_rejected", "A held merge was rejected by a person")
    INCIDENT_OPENED = ("incident.opened", "An incident was opened, by hand or by an alert")
    INCIDENT_CHANGED = ("incident.changed", "An incident's status, roles or tasks changed")
    INCIDENT_NOTED = ("incident.noted", "A note was added to an incident's timeline")
    CONTAINMENT_RUN = ("incident.contained", "A containment action ran (outcome in the entry)")
    BLAST_RADIUS_READ = ("incident.blast_radius", "The audit log was read for a blast radius")
    NOTICE_DRAFTED = ("incident.notice_drafted", "A breach notice or report was drafted")
    CONSENT_RECORDED = ("consent.recorded", "A consent decision was recorded for a customer")
    DSAR_OPENED = ("dsar.opened", "A data-subject request was logged, with its due date")
    DSAR_VERIFIED = ("dsar.verified", "The identity behind a data-subject request was verified")
    DSAR_CLOSED = ("dsar.closed", "A data-subject request was completed or refused")
    DSAR_EXPORTED = ("dsar.exported", "Everything held on a person was exported for them")
    CUSTOMER_RECTIFIED = ("customer.rectified", "A customer's field was corrected on request")
    LEGAL_HOLD_PLACED = ("legal_hold.placed", "A legal hold was placed on a customer")
    LEGAL_HOLD_RELEASED = ("legal_hold.released", "A legal hold on a customer was released")
    RETENTION_RUN = ("retention.run", "Data past its retention period was deleted")
    FILE_ADMITTED = ("intake.admitted", "A file passed the intake checks and scanners")
    FILE_REFUSED = ("intake.refused", "A file was refused by the intake checks (not stored)")
    FILE_QUARANTINED = ("intake.quarantined", "A refused file was sealed in quarantine")
    QUARANTINE_LISTED = ("quarantine.listed", "The quarantine was listed")
    QUARANTINE_RELEASED = ("quarantine.released", "A quarantined file was released for review")
    QUARANTINE_PURGED = ("quarantine.purged", "Quarantined files were deleted for good")
    DOCUMENT_UPLOADED = ("document.uploaded", "A customer document was stored, sealed")
    DOCUMENTS_LISTED = ("document.listed", "A customer's documents were listed")
    DOCUMENT_DOWNLOADED = ("document.downloaded", "A customer document was downloaded")
    LAKE_EXPORTED = ("lake.exported", "Events and orders were exported to the lake, pseudonymized")
    LAKE_COMPACTED = ("lake.compacted", "Small files of the lake were merged")
    WAREHOUSE_BUILT = ("warehouse.built", "The analytics warehouse was built from the lake")
    ANALYTICS_RUN = ("analytics.run", "An analytics metric was computed (counts in detail)")
    STAFF_CREATED = ("staff.created", "A staff account was created with a role")
    STAFF_LOGIN = ("staff.login", "A person logged in: a new session; its second factor in detail")
    STAFF_LOGIN_REFUSED = (
        "staff.login_refused",
        "A login with the right password got no session (security key required, no 2nd factor)",
    )
    SESSION_ENDED = ("staff.session_ended", "Staff sessions were ended: logout, disabling, by hand")
    MFA_ENROLLED = ("staff.mfa_enrolled", "A second factor was enrolled: TOTP, key, recovery codes")
    RECOVERY_CODE_USED = ("staff.recovery_code_used", "A recovery code was spent to log in")
    STAFF_DISABLED = ("staff.disabled", "A person was disabled: every session and token ended")
    STAFF_ENABLED = ("staff.enabled", "A disabled person was enabled again (with no old tokens)")
    PASSWORD_CHANGED = ("staff.password_changed", "A person's password was set or changed")

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
