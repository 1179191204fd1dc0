"""The customer-level vault: each customer's own key, their field values, their blind indexes.

Every customer has a data key of their own, wrapped by the field key-encryption key. Their field
values are stored as JSON encrypted under it, so erasing that one wrapped key erases them all.
"""

from __future__ import annotations

import json

from strongroom.core.errors import DecryptionError, InvalidInputError
from strongroom.core.models import CustomerId, JsonValue, SubjectKey
from strongroom.vault.blindindex import blind_index, normalise_identifier, truncate_index
from strongroom.vault.envelope import decrypt_field, encrypt_field, new_key, unwrap_key, wrap_key
from strongroom.vault.keyring import KeyKind
from strongroom.vault.keysource import KeySource

# Subject keys are not rotated yet; the ciphertext header records the version for when they are.
SUBJECT_KEY_VERSION = 1


def _subject_context(customer_id: CustomerId, kek_version: int) -> str:
    return f"subject-key:{customer_id}:v{kek_version}"


class SubjectVault:
    """Encrypts and decrypts one customer's fields, and computes blind indexes for lookups."""

    def __init__(self, keyring: KeySource) -> None:
        self._keyring = keyring

    def __repr__(self) -> str:
        return f"SubjectVault({self._keyring!r})"

    def new_subject_key(self, customer_id: CustomerId) -> tuple[bytes, SubjectKey]:
        """Make a customer's data key; returns it and its form wrapped by the current KEK."""
        kek_version, kek = self._keyring.current(KeyKind.FIELD_KEK)
        key = new_key()
        wrapped = wrap_key(kek, key, context=_subject_context(customer_id, kek_version))
        return key, SubjectKey(customer_id, wrapped, kek_version)

    def refresh_keys(self) -> None:
        """See key versions added since the keyring was loaded (after a rotation step)."""
        self._keyring.refresh(force=True)

    def current_version(self, kind: KeyKind) -> int:
        """The version of ``kind`` new data is written with."""
        return self._keyring.current_version(kind)

    def rewrap_subject_key(self, key: SubjectKey) -> SubjectKey:
        """The same customer key, wrapped by the current KEK version instead."""
        kek_version, kek = self._keyring.current(KeyKind.FIELD_KEK)
        plain = self.open_subject_key(key)
        wrapped = wrap_key(kek, plain, context=_subject_context(key.customer_id, kek_version))
        return SubjectKey(key.customer_id, wrapped, kek_version)

    def open_subject_key(self, key: SubjectKey) -> bytes:
        """Unwrap a customer's data key; refuses one wrapped for another customer."""
        kek = self._keyring.key(KeyKind.FIELD_KEK, key.kek_version)
        context = _subject_context(key.customer_id, key.kek_version)
        return unwrap_key(kek, key.wrapped, context=context)

    def encrypt(
        self, subject_key: bytes, *, customer_id: CustomerId, field: str, value: JsonValue
    ) -> bytes:
        """Encrypt a JSON value of one customer's field under their data key."""
        plaintext = _encode(value, field)
        return encrypt_field(
            subject_key,
            plaintext,
            record_id=customer_id,
            field=field,
            key_version=SUBJECT_KEY_VERSION,
        )

    def decrypt(
        self, subject_key: bytes, *, customer_id: CustomerId, field: str, ciphertext: bytes
    ) -> JsonValue:
        """Decrypt one customer's field value made by ``encrypt``."""
        plaintext = decrypt_field(
            subject_key,
            ciphertext,
            record_id=customer_id,
            field=field,
            key_version=SUBJECT_KEY_VERSION,
        )
        try:
            value: JsonValue = json.loads(plaintext.decode("utf-8"))
        except ValueError:
            # It authenticated, so only a bug in whatever encrypted it can get here.
            raise DecryptionError(
                f"field {field!r} of record {customer_id} decrypted but is not JSON: it was not "
                "written by SubjectVault.encrypt; report this as a bug"
            ) from None
        return value

    def lookup_values(self, kind_or_field: str, value: str) -> list[tuple[int, bytes]]:
        """Return (version, index value) under every blind-index key version, current first."""
        normalised = normalise_identifier(kind_or_field, value)
        return [
            (version, self._index(version, kind_or_field, normalised))
            for version in reversed(self._keyring.versions(KeyKind.BLIND_INDEX))
        ]

    def index_value(self, kind_or_field: str, value: str) -> tuple[int, bytes]:
        """Return (version, index value) under the current blind-index key, for writing."""
        version = self._keyring.current_version(KeyKind.BLIND_INDEX)
        normalised = normalise_identifier(kind_or_field, value)
        return version, self._index(version, kind_or_field, normalised)

    def search_values(self, field: str, value: str) -> list[tuple[int, bytes]]:
        """Shortened index values of a searchable field under every active version, current first.

        Each may match several customers: decrypt the candidates to keep the true matches.
        """
        return [
            (version, truncate_index(index, self._keyring.index_bits(version)))
            for version, index in self.lookup_values(field, value)
        ]

    def search_index(
        self, field: str, value: str, *, version: int | None = None
    ) -> tuple[int, bytes]:
        """The shortened index value of a searchable field under ``version`` (default: current)."""
        version = version or self._keyring.current_version(KeyKind.BLIND_INDEX)
        index = self._index(version, field, normalise_identifier(field, value))
        return version, truncate_index(index, self._keyring.index_bits(version))

    def identifier_lookup(self, kind: str, value: str, *, version: int) -> bytes:
        """The exact lookup value of an identifier under a given blind-index version."""
        return self._index(version, kind, normalise_identifier(kind, value))

    def _index(self, version: int, field: str, normalised: str) -> bytes:
        key = self._keyring.key(KeyKind.BLIND_INDEX, version)
        return blind_index(key, field=field, value=normalised)


def _encode(value: JsonValue, field: str) -> bytes:
    # Sorted, compact and NaN-free: one value has one encoding, readable by any JSON parser.
    try:
        text = json.dumps(value, sort_keys=True, separators=(",", ":"), allow_nan=False)
        return text.encode("utf-8")
    except (TypeError, ValueError, RecursionError):
        raise InvalidInputError(
            f"the value of field {field!r} cannot be stored: it is not plain JSON (a number "
            "that is NaN or infinite, a type JSON does not have, or nested too deep); "
            "send plain JSON"
        ) from None
