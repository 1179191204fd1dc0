"""How each audit action touches customer data: what a blast radius counts, declared once.

Every ``AuditAction`` must be listed here (tests/unit/core/test_exposure.py fails otherwise), so
a new action cannot be forgotten by incident response: add it where it belongs when you add it.
"""

from __future__ import annotations

from enum import StrEnum

from strongroom.core.trail import AuditAction


class AccessKind(StrEnum):
    """What an act did to the customers it names."""

    READ = "read"  # their data was shown to someone
    EXPORT = "export"  # their data left Strongroom in a file or a response meant to be kept
    CHANGE = "change"  # their data was written, corrected or deleted
    NONE = "none"  # no customer data was touched (administration, keys, monitoring)


_BY_KIND: dict[AccessKind, frozenset[str]] = {
    AccessKind.READ: frozenset(
        {
            "customer.read",
            "customer.search",
            "card.detokenized",
            "document.listed",
            "document.downloaded",
            "pii.revealed",
        }
    ),
    AccessKind.EXPORT: frozenset(
        {"backup.created", "dsar.exported", "lake.exported", "customers.exported"}
    ),
    AccessKind.CHANGE: frozenset(
        {
            "collect.ingest",
            "collect.import_finished",
            "customer.erased",
            "erasure.reapplied",
            "backup.restored",
            "consent.recorded",
            "customer.rectified",
            "retention.run",
            "document.uploaded",
            "identity.merged",
            "identity.unmerged",
        }
    ),
    AccessKind.NONE: frozenset(
        {
            "system.initialised",
            "collect.import_started",
            "auth.failed",
            "access.denied",
            "request.refused",
            "source.created",
            "source.key_rotated",
            "source.key_revoked",
            "source.settings_changed",
            "token.created",
            "token.revoked",
            "service_key.created",
            "service_key.revoked",
            "vendor.created",
            "vendor.revoked",
            "app.registered",
            "app.revoked",
            "app.token_issued",
            "app.grant_recorded",
            "app.grant_revoked",
            "staff.created",
            "staff.login",
            "staff.login_refused",
            "staff.session_ended",
            "staff.mfa_enrolled",
            "staff.recovery_code_used",
            "staff.disabled",
            "staff.enabled",
            "staff.password_changed",
            "key.version_added",
            "key.rewrapped",
            "key.reindexed",
            "key.retired",
            "key.root_rotated",
            "audit.verified",
            "audit.proof_issued",
            "audit.exported",  # entries name customer ids, never their data
            "audit.checkpointed",
            "security.suspicious_input",
            "honeytoken.planted",
            "monitor.scanned",
            "alert.acknowledged",
            "alert.closed",
            "dsar.opened",
            "dsar.verified",
            "dsar.closed",
            "legal_hold.placed",
            "legal_hold.released",
            "intake.admitted",
            "intake.refused",
            "intake.quarantined",
            "quarantine.listed",
            "quarantine.released",
            "quarantine.purged",
            "identity.review_opened",
            "identity.review_rejected",
            "lake.compacted",
            "warehouse.built",  # pseudonymized, inside Strongroom
            "analytics.run",  # aggregates only
            "incident.opened",
            "incident.changed",
            "incident.noted",
            "incident.contained",
            "incident.blast_radius",  # decrypts only to count by place; shows nobody anything
            "incident.notice_drafted",
            "access.volume_exceeded",  # refused: the read was rolled back
            "staff.training_recorded",
            "approval.requested",
            "approval.granted",
            "approval.used",
            "approval.refused",
            "policy.applied",
        }
    ),
}

ACCESS_BY_ACTION: dict[str, AccessKind] = {
    name: kind for kind, names in _BY_KIND.items() for name in names
}

# Acts whose data leaves only as ciphertext under keys kept outside it (encrypted backups): the
# encryption exemption of GDPR Art. 34(3)(a) holds for them while those keys stay safe.
# The lake holds PII only encrypted under subject keys, and customer ids only as pseudonyms.
CIPHERTEXT_ONLY: frozenset[str] = frozenset({"backup.created", "lake.exported"})

# Acts only a holder of the root key can do: if a suspect did one, the keys count as exposed.
KEY_CUSTODY: frozenset[str] = frozenset(
    {
        "system.initialised",
        "key.version_added",
        "key.rewrapped",
        "key.reindexed",
        "key.retired",
        "key.root_rotated",
        "backup.restored",
    }
)


def access_kind(action: AuditAction) -> AccessKind:
    """How ``action`` touches the customers it names; KeyError for an unmapped action."""
    return ACCESS_BY_ACTION[action.stored_name]
