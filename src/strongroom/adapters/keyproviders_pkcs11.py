"""The root key inside a PKCS#11 HSM: it never leaves the device, and wrapping happens in there.

The root key is a token object: AES-256, sensitive, never extractable, allowed to encrypt and
decrypt and nothing else. Wrapping is CKM_AES_GCM inside the HSM with a 96-bit random nonce made
here and written before the ciphertext, the wrapping context as associated data and a 128-bit
tag: the layout of a file root key's wrapping (``vault.envelope.wrap_key``).

Every call into a PKCS#11 module from this process goes through one lock: python-pkcs11 calls
C_Initialize without locking callbacks, which tells the module (SoftHSM2 among them) that no two
threads call it at once, so it does no locking of its own. Each operation opens, logs in and
closes its own session (about a millisecond on SoftHSM2), so nothing stale outlives an HSM restart.

SoftHSM2 reads its configuration from ``SOFTHSM2_CONF`` in the process environment: the library
reads it, Strongroom does not.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, Self

import pkcs11
from pkcs11 import Attribute, GCMParams, KeyType, Mechanism, MechanismFlag, ObjectClass
from pkcs11 import exceptions as p11
from pkcs11.types import DecryptMixin, EncryptMixin, Session, Token

from strongroom.core.errors import ConfigurationError, ConflictError, DecryptionError, VaultError
from strongroom.vault.envelope import NONCE_BYTES, ROOT_KEY_BYTES, TAG_BYTES

if TYPE_CHECKING:  # only for annotations: keyproviders imports this module for its registry
    from pkcs11 import _pkcs11

    from strongroom.adapters.keyproviders import KeyProviderOptions

_MODULE_LOCK = threading.Lock()
_TAG_BITS = TAG_BYTES * 8
_KEY_TEMPLATE: dict[Attribute, Any] = {
    Attribute.TOKEN: True,
    Attribute.PRIVATE: True,
    Attribute.SENSITIVE: True,
    Attribute.EXTRACTABLE: False,
}
# What a failed GCM tag check looks like from the module: SoftHSM2 answers CKR_GENERAL_ERROR.
_NOT_AUTHENTIC = (p11.GeneralError, p11.EncryptedDataInvalid, p11.EncryptedDataLenRange)
_WRONG_PIN = (p11.PinIncorrect, p11.PinInvalid, p11.PinLenRange, p11.PinExpired)


class Pkcs11RootKey:
    """A root key that stays in the HSM; ``wrap`` and ``unwrap`` ask the HSM to do the work."""

    __slots__ = ("_key_label", "_pin", "_token", "_token_label")

    def __init__(self, token: Token, *, token_label: str, key_label: str, pin: str) -> None:
        self._token = token
        self._token_label = token_label
        self._key_label = key_label
        self._pin = pin

    def __repr__(self) -> str:
        return f"Pkcs11RootKey({self.key_id!r})"

    @property
    def key_id(self) -> str:
        return f"pkcs11:{self._token_label}/{self._key_label}"

    def wrap(self, key: bytes, *, context: str) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        params = GCMParams(nonce, context.encode("utf-8"), _TAG_BITS)
        with self._root_key() as root_key:
            try:
                sealed = root_key.encrypt(key, mechanism=Mechanism.AES_GCM, mechanism_param=params)
            except p11.PKCS11Error as exc:
                raise _hsm_failed(f"wrapping with {self.key_id}", exc) from exc
        return nonce + _as_bytes(sealed)

    def unwrap(self, wrapped: bytes, *, context: str) -> bytes:
        # Only the kind of context is named: the rest may identify a customer, and never helps.
        kind = context.split(":", 1)[0]
        if len(wrapped) < NONCE_BYTES + TAG_BYTES:
            raise DecryptionError(
                f"the wrapped {kind} is truncated or corrupted: restore it from a backup"
            )
        params = GCMParams(wrapped[:NONCE_BYTES], context.encode("utf-8"), _TAG_BITS)
        with self._root_key() as root_key:
            try:
                plain = root_key.decrypt(
                    wrapped[NONCE_BYTES:], mechanism=Mechanism.AES_GCM, mechanism_param=params
                )
            except _NOT_AUTHENTIC:
                raise DecryptionError(
                    f"the wrapped {kind} could not be unwrapped by {self.key_id}: it was changed, "
                    "moved, or wrapped under another key; check that the HSM key and the database "
                    "belong to the same data home"
                ) from None
            except p11.PKCS11Error as exc:
                raise _hsm_failed(f"unwrapping with {self.key_id}", exc) from exc
        return _as_bytes(plain)

    @contextmanager
    def _root_key(self) -> Iterator[_AesKey]:
        with _session(self._token, self._token_label, self._pin) as session:
            yield _find_key(session, self._key_label, self._token_label)


class _AesKey(Protocol):
    """What the root key object is used for: a python-pkcs11 key with both mixins."""

    def encrypt(self, data: bytes, **kwargs: Any) -> bytes | Iterator[bytes]: ...

    def decrypt(self, data: bytes, **kwargs: Any) -> bytes | Iterator[bytes]: ...

    def destroy(self) -> None: ...

    def __getitem__(self, attribute: Attribute) -> Any: ...


class Pkcs11KeyProvider:
    """The root key as a non-extractable AES-256 key object on a PKCS#11 token."""

    def __init__(
        self,
        *,
        module: Path,
        token_label: str,
        pin: str,
        key_label: str,
        dev_mode: bool = False,
    ) -> None:
        self._module = module
        self._token_label = token_label
        self._pin = pin
        self._key_label = key_label
        self._dev_mode = dev_mode

    @classmethod
    def from_options(cls, options: KeyProviderOptions) -> Self:
        if (
            options.pkcs11_module is None
            or not options.pkcs11_token_label
            or not options.pkcs11_pin
        ):
            raise ConfigurationError(
                "the pkcs11 key provider needs STRONGROOM_PKCS11_MODULE, "
                "STRONGROOM_PKCS11_TOKEN_LABEL and STRONGROOM_PKCS11_PIN: set all three"
            )
        return cls(
            module=options.pkcs11_module,
            token_label=options.pkcs11_token_label,
            pin=options.pkcs11_pin,
            key_label=options.pkcs11_key_label,
            dev_mode=options.dev_mode,
        )

    def __repr__(self) -> str:
        return (
            f"Pkcs11KeyProvider(module={str(self._module)!r}, token_label={self._token_label!r}, "
            f"key_label={self._key_label!r}, pin=**********)"
        )

    @property
    def location(self) -> str:
        return f"pkcs11:{self._token_label}/{self._key_label} in {self._module}"

    @property
    def advice(self) -> str:
        return "it never leaves the HSM: back the token up as the HSM's manual says"

    def load(self) -> Pkcs11RootKey:
        """Find the root key on the token and check it is fit to be one."""
        token = self._token()
        with _session(token, self._token_label, self._pin) as session:
            self._check(_find_key(session, self._key_label, self._token_label))
        return self._root_key(token)

    def create(self) -> Pkcs11RootKey:
        """Generate the root key inside the HSM; refuses if its label is taken."""
        token = self._token()
        with _session(token, self._token_label, self._pin, rw=True) as session:
            if next(iter(session.get_objects({Attribute.LABEL: self._key_label})), None):
                raise ConflictError(
                    f"HSM token {self._token_label!r} already holds an object labelled "
                    f"{self._key_label!r}: refusing to make another root key under that label; "
                    "choose another STRONGROOM_PKCS11_KEY_LABEL"
                )
            try:
                session.generate_key(
                    KeyType.AES,
                    ROOT_KEY_BYTES * 8,
                    label=self._key_label,
                    store=True,
                    capabilities=MechanismFlag.ENCRYPT | MechanismFlag.DECRYPT,
                    template=_KEY_TEMPLATE,
                )
            except p11.PKCS11Error as exc:
                raise _hsm_failed(f"generating a root key on {self._token_label!r}", exc) from exc
        return self._root_key(token)

    def discard(self) -> None:
        """Destroy the key ``create`` made, when the data home it was made for was not."""
        token = self._token()
        with _session(token, self._token_label, self._pin, rw=True) as session:
            _find_key(session, self._key_label, self._token_label).destroy()

    def _root_key(self, token: Token) -> Pkcs11RootKey:
        return Pkcs11RootKey(
            token, token_label=self._token_label, key_label=self._key_label, pin=self._pin
        )

    def _token(self) -> Token:
        with _MODULE_LOCK:
            library = _library(self._module)
            try:
                return library.get_token(token_label=self._token_label)
            except p11.NoSuchToken:
                raise ConfigurationError(
                    f"the PKCS#11 module {self._module} has no token labelled "
                    f"{self._token_label!r}: check STRONGROOM_PKCS11_TOKEN_LABEL (for SoftHSM2, "
                    "`softhsm2-util --show-slots` lists the tokens)"
                ) from None
            except p11.MultipleTokensReturned:
                raise ConfigurationError(
                    f"several tokens are labelled {self._token_label!r}: give the token "
                    "Strongroom uses a label of its own"
                ) from None
            except p11.PKCS11Error as exc:
                raise _hsm_failed(f"finding token {self._token_label!r}", exc) from exc

    def _check(self, key: _AesKey) -> None:
        where = f"the root key {self._key_label!r} on HSM token {self._token_label!r}"
        if key[Attribute.KEY_TYPE] != KeyType.AES or key[Attribute.VALUE_LEN] != ROOT_KEY_BYTES:
            raise VaultError(f"{where} is not an AES-256 key: check STRONGROOM_PKCS11_KEY_LABEL")
        if not (key[Attribute.ENCRYPT] and key[Attribute.DECRYPT]):
            raise VaultError(
                f"{where} may not encrypt and decrypt (CKA_ENCRYPT, CKA_DECRYPT): allow both"
            )
        exportable = key[Attribute.EXTRACTABLE] or not key[Attribute.SENSITIVE]
        if exportable and not self._dev_mode:
            raise VaultError(
                f"{where} could be read out of the HSM (CKA_EXTRACTABLE true or CKA_SENSITIVE "
                "false), and a root key must never leave it: make a non-extractable, sensitive "
                "key, as `strongroom init` does"
            )


def _library(module: Path) -> _pkcs11.lib:
    # python-pkcs11 loads and initialises each module once per process and hands it back after.
    try:
        return pkcs11.lib(str(module))
    except p11.PKCS11Error as exc:
        # Loading fails with the loader's message (a path and a reason); starting, with none.
        reason = str(exc) or type(exc).__name__
        raise ConfigurationError(
            f"could not load and start the PKCS#11 module {module} ({reason}): check that "
            "STRONGROOM_PKCS11_MODULE names the HSM's PKCS#11 library and that its own "
            "configuration is in place (for SoftHSM2, the file SOFTHSM2_CONF names)"
        ) from None


@contextmanager
def _session(token: Token, label: str, pin: str, *, rw: bool = False) -> Iterator[Session]:
    with _MODULE_LOCK:
        try:
            session = token.open(rw=rw, user_pin=pin)
        except _WRONG_PIN:
            raise VaultError(
                f"HSM token {label!r} refused the PIN: check STRONGROOM_PKCS11_PIN (each wrong "
                "try counts towards locking the token)"
            ) from None
        except p11.PinLocked:
            raise VaultError(
                f"the PIN of HSM token {label!r} is locked after too many wrong tries: have the "
                "security officer unlock it, then check STRONGROOM_PKCS11_PIN"
            ) from None
        except p11.PKCS11Error as exc:
            raise _hsm_failed(f"opening a session on token {label!r}", exc) from exc
        try:
            yield session
        finally:
            # The work is done (or has failed with its own error): a failed close loses nothing.
            with suppress(p11.PKCS11Error):
                session.close()


def _find_key(session: Session, key_label: str, token_label: str) -> _AesKey:
    try:
        key = session.get_key(object_class=ObjectClass.SECRET_KEY, label=key_label)
    except p11.NoSuchKey:
        raise VaultError(
            f"HSM token {token_label!r} holds no secret key labelled {key_label!r}: run "
            "`strongroom init` to create it, or check STRONGROOM_PKCS11_KEY_LABEL"
        ) from None
    except p11.MultipleObjectsReturned:
        raise VaultError(
            f"HSM token {token_label!r} holds several secret keys labelled {key_label!r}: "
            "give the root key a label of its own and set STRONGROOM_PKCS11_KEY_LABEL to it"
        ) from None
    if not isinstance(key, EncryptMixin) or not isinstance(key, DecryptMixin):
        raise VaultError(f"the HSM key {key_label!r} cannot encrypt and decrypt: check its type")
    return key


def _as_bytes(value: object) -> bytes:
    if not isinstance(value, bytes):  # python-pkcs11 returns an iterator only for iterator input
        raise VaultError("the PKCS#11 module answered in an unexpected form: report this")
    return value


def _hsm_failed(what: str, exc: p11.PKCS11Error) -> VaultError:
    # The module's own message is left out: only its error name, which carries no secret.
    return VaultError(
        f"the HSM failed while {what} ({type(exc).__name__}): check that the HSM is reachable "
        "and working, then try again"
    )
