"""The one exception tree of Strongroom. Domain errors know nothing of HTTP.

StrongroomError
 ├── ConfigurationError        settings or the data home are unusable; fix and restart
 ├── InvalidInputError         the caller sent something malformed (a reason says what)
 │    └── PayloadTooLargeError one event or one request is over its size limit
 ├── AuthenticationError       no, unknown, revoked or mismatched credentials
 ├── PermissionDeniedError     authenticated, but the policy does not allow the act
 ├── NotFoundError             the thing asked for does not exist (or may not be seen)
 │    └── CustomerErasedError  the customer was erased: their personal data is gone for good
 ├── ConflictError             the change clashes with stored state (e.g. a duplicate name)
 ├── VaultError                a key or ciphertext problem
 │    ├── WrongPassphraseError  the root key file cannot be opened with this passphrase
 │    ├── KeyFileError          the root key file is missing, unsafe or malformed
 │    └── DecryptionError       a ciphertext is corrupted, truncated or moved (AAD mismatch)
 ├── AuditIntegrityError       the audit log or a checkpoint fails verification; names which
 ├── CheckpointExportError     a sink outside the database did not take an audit checkpoint
 └── NotificationError         an alert sink (webhook, syslog, email) did not take an alert
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


class AuthenticationError(StrongroomError):
    code = "unauthenticated"


class PermissionDeniedError(StrongroomError):
    code = "permission_denied"


class NotFoundError(StrongroomError):
    code = "not_found"


class CustomerErasedError(NotFoundError):
    code = "customer_erased"


class ConflictError(StrongroomError):
    code = "conflict"


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
