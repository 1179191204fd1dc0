"""The one exception tree of Strongroom. Domain errors know nothing of HTTP.

StrongroomError
 ├── ConfigurationError        settings or the data home are unusable; fix and restart
 ├── InvalidInputError         the caller sent something malformed (a reason says what)
 │    ├── PayloadTooLargeError one event or one request is over its size limit
 │    │    └── FileTooLargeError       a file is over the upload size cap (413)
 │    ├── UnsupportedFileTypeError   a file's name or bytes are not an allowed type (415)
 │    ├── OAuthError           an OAuth 2 token request refused; RFC 6749 5.2 names the code
 │    ├── WeakPasswordError    a new password breaks the policy (too short, too common)
 │    ├── MalwareDetectedError       a scanner found malware; the file is quarantined (422)
 │    └── ArchiveRefusedError        an archive breaks a limit (bomb, traversal, links) (422)
 ├── AuthenticationError       no, unknown, revoked or mismatched credentials
 ├── PermissionDeniedError     authenticated, but the policy does not allow the act
 │    ├── WebAuthnRequiredError  the role needs a security key: password and TOTP are not enough
 │    ├── TrainingRequiredError  a PII permission needs current security training and policy ack
 │    └── ApprovalRequiredError  the act needs a second person's approval (four eyes)
 ├── RateLimitedError          a source sent more than its rate limit; retry later (429)
 │    └── VolumeLimitedError    a principal read or exported more records this hour than allowed
 ├── NotFoundError             the thing asked for does not exist (or may not be seen)
 │    └── CustomerErasedError  the customer was erased: their personal data is gone for good
 ├── ConflictError             the change clashes with stored state (e.g. a duplicate name)
 │    ├── LegalHoldError       a legal hold stops export and erasure of the person until released
 │    └── ContainmentError     a containment step failed or is unavailable (the timeline says)
 ├── VaultError                a key or ciphertext problem
 │    ├── WrongPassphraseError  the root key file cannot be opened with this passphrase
 │    ├── KeyFileError          the root key file is missing, unsafe or malformed
 │    └── DecryptionError       a ciphertext is corrupted, truncated or moved (AAD mismatch)
 ├── AuditIntegrityError       the audit log or a checkpoint fails verification; names which
 ├── CheckpointExportError     a sink outside the database did not take an audit checkpoint
 ├── NotificationError         an alert sink (webhook, syslog, email) did not take an alert
 └── ScannerUnavailableError   a malware scanner is down or has no rules: nothing is accepted
"""

from __future__ import annotations


class StrongroomError(Exception):
    """Base of every error Strongroom raises on purpose."""

    code = "internal_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ConfigurationError(StrongroomError):
    code = "configuration_error"


class InvalidInputError(StrongroomError):
    code = "invalid_input"


class PayloadTooLargeError(InvalidInputError):
    code = "payload_too_large"


class FileTooLargeError(PayloadTooLargeError):
    code = "file_too_large"


class UnsupportedFileTypeError(InvalidInputError):
    code = "unsupported_file_type"


class OAuthError(InvalidInputError):
    """A token request refused with an RFC 6749 section 5.2 error code (e.g. invalid_scope)."""

    code = "invalid_request"

    def __init__(self, message: str, *, code: str = "invalid_request", status: int = 400) -> None:
        super().__init__(message)
        self.code = code
        self.status = status  # 401 for invalid_client, 400 for the others


class WeakPasswordError(InvalidInputError):
    code = "weak_password"


class MalwareDetectedError(InvalidInputError):
    code = "malware_detected"


class ArchiveRefusedError(InvalidInputError):
    code = "archive_refused"


class AuthenticationError(StrongroomError):
    code = "unauthenticated"


class PermissionDeniedError(StrongroomError):
    code = "permission_denied"


class WebAuthnRequiredError(PermissionDeniedError):
    code = "webauthn_required"


class TrainingRequiredError(PermissionDeniedError):
    code = "training_required"


class ApprovalRequiredError(PermissionDeniedError):
    code = "approval_required"


class RateLimitedError(StrongroomError):
    code = "rate_limited"

    def __init__(self, message: str, *, retry_after: int = 1) -> None:
        super().__init__(message)
        self.retry_after = retry_after  # whole seconds to wait before sending again


class VolumeLimitedError(RateLimitedError):
    code = "volume_limited"


class NotFoundError(StrongroomError):
    code = "not_found"


class CustomerErasedError(NotFoundError):
    code = "customer_erased"


class ConflictError(StrongroomError):
    code = "conflict"


class LegalHoldError(ConflictError):
    code = "legal_hold"


class ContainmentError(ConflictError):
    code = "containment_failed"


class VaultError(StrongroomError):
    code = "vault_error"


class WrongPassphraseError(VaultError):
    code = "wrong_passphrase"


class KeyFileError(VaultError):
    code = "key_file_error"


class DecryptionError(VaultError):
    code = "decryption_failed"


class AuditIntegrityError(StrongroomError):
    code = "audit_integrity_error"

    def __init__(
        self, message: str, *, seq: int | None = None, checkpoint: str | None = None
    ) -> None:
        super().__init__(message)
        self.seq = seq
        self.checkpoint = checkpoint  # where the checkpoint at fault is (a file, or the database)


class CheckpointExportError(StrongroomError):
    code = "checkpoint_export_failed"


class NotificationError(StrongroomError):
    code = "notification_failed"


class ScannerUnavailableError(StrongroomError):
    code = "scanner_unavailable"
