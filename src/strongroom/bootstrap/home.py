"""The data home: its creation (``initialise``), its root key provider and root key rotation."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import SecretStr

from strongroom.adapters.keyproviders import (
    KEY_PROVIDERS,
    KeyProvider,
    KeyProviderOptions,
    PassphraseFileKeyProvider,
    promote_pending_root_key,
)
from strongroom.adapters.sql.engine import create_database_engine
from strongroom.adapters.sql.migrate import upgrade_database
from strongroom.adapters.sql.unit_of_work import SqlUnitOfWorkFactory
from strongroom.adapters.tls import create_self_signed_certificate
from strongroom.audit.service import AuditLog
from strongroom.core.clock import Clock, SystemClock
from strongroom.core.custody import RootKey
from strongroom.core.errors import (
    ConflictError,
    InvalidInputError,
    VaultError,
)
from strongroom.core.models import Actor, WrappedDataKey
from strongroom.core.ports import UnitOfWorkFactory
from strongroom.core.trail import AuditAction, AuditDraft, Outcome
from strongroom.settings import Settings
from strongroom.vault.blindindex import plan_index_bits
from strongroom.vault.keyring import Keyring
from strongroom.vault.keysource import LiveKeyring

if TYPE_CHECKING:
    from strongroom.bootstrap.app import App


@dataclass(frozen=True, slots=True)
class InitReport:
    home: str
    database: str
    root_key_path: str  # where the root key lives: a file, the environment or an HSM
    root_key_advice: str
    tls_cert_path: str


def initialise(
    settings: Settings, *, passphrase: str | None, actor: Actor, clock: Clock | None = None
) -> InitReport:
    """Create a data home: root key file, database schema, keyring and TLS certificate."""
    clock = clock or SystemClock()
    now = clock.now()
    settings.home.mkdir(mode=0o700, parents=True, exist_ok=True)
    provider = provider_for(settings, passphrase=passphrase)
    engine = create_database_engine(settings.database)
    try:
        upgrade_database(engine)
        uow_factory = SqlUnitOfWorkFactory(engine)
        _refuse_initialised(uow_factory)
        root_key = provider.create()
        try:
            with uow_factory() as uow:
                bits = plan_index_bits(settings.expected_customers)
                uow.data_keys.add(Keyring.create_initial(root_key, now=now, index_bits=bits))
                AuditLog(clock).record(uow, [_initialised(actor)])
                uow.commit()
        except BaseException:
            provider.discard()  # a root key without its keyring would mislead
            raise
    finally:
        engine.dispose()
    if not settings.tls_cert_path.exists():
        create_self_signed_certificate(settings.tls_cert_path, settings.tls_key_path, now=now)
    return InitReport(
        home=str(settings.home),
        database=_redacted(settings.database),
        root_key_path=provider.location,
        root_key_advice=provider.advice,
        tls_cert_path=str(settings.tls_cert_path),
    )


def provider_for(settings: Settings, *, passphrase: str | None) -> KeyProvider:
    """The root key provider ``STRONGROOM_KEY_PROVIDER`` names, configured from the settings."""
    options = KeyProviderOptions(
        root_key_path=settings.root_key_path,
        passphrase=passphrase,
        dev_mode=settings.dev_mode,
        root_key=_secret(settings.root_key),
        pkcs11_module=settings.pkcs11_module,
        pkcs11_token_label=settings.pkcs11_token_label,
        pkcs11_pin=_secret(settings.pkcs11_pin),
        pkcs11_key_label=settings.pkcs11_key_label,
    )
    return KEY_PROVIDERS[settings.key_provider].from_options(options)


def rotate_root_key(app: App, *, passphrase: str | None) -> str:
    """Re-wrap the keyring under a new root key in a new key file; returns the new key's id.

    The new file is written first as ``root.key.new``, the keyring re-wrapped and committed, and
    only then does the new file replace the old one. A crash in between is completed at the next
    start (``open_keyring``). Running servers keep working; restart them afterwards.
    """
    settings = app.settings
    if settings.key_provider != "file":
        raise InvalidInputError(
            f"root rotation here covers the file provider; with {settings.key_provider!r}, make a "
            "new root key in its own place and re-wrap by restoring a backup under it"
        )
    pending = _pending_root_key_path(settings)
    if pending.exists():
        raise ConflictError(
            f"{pending} exists: an earlier root rotation was interrupted; run any command "
            "(e.g. `strongroom keys status`) to complete it first"
        )
    provider = PassphraseFileKeyProvider(pending, passphrase, dev_mode=settings.dev_mode)
    new_root = provider.create()
    try:
        with app.uow_factory() as uow:
            uow.data_keys.rewrap(Keyring.rewrap(app.root_key, new_root, uow.data_keys.all()))
            app.audit.record(uow, [_root_rotated(app.root_key.key_id, new_root.key_id)])
            uow.commit()
    except BaseException:
        provider.discard()
        raise
    promote_pending_root_key(pending, settings.root_key_path)
    app.root_key = new_root
    return new_root.key_id


def _pending_root_key_path(settings: Settings) -> Path:
    return settings.root_key_path.with_name(settings.root_key_path.name + ".new")


def open_keyring(
    settings: Settings, root_key: RootKey, passphrase: str | None, uow_factory: UnitOfWorkFactory
) -> tuple[RootKey, LiveKeyring]:
    try:
        return root_key, LiveKeyring(root_key, _stored_data_keys(uow_factory))
    except VaultError:
        pending = _pending_root_key_path(settings)
        if settings.key_provider != "file" or not pending.exists():
            raise
    # A root rotation committed its keyring but stopped before replacing the key file.
    new_root = PassphraseFileKeyProvider(pending, passphrase, dev_mode=settings.dev_mode).load()
    keyring = LiveKeyring(new_root, _stored_data_keys(uow_factory))
    promote_pending_root_key(pending, settings.root_key_path)
    return new_root, keyring


def _root_rotated(old_id: str, new_id: str) -> AuditDraft:
    return AuditDraft(
        actor="system:strongroom",
        action=AuditAction.ROOT_KEY_ROTATED,
        outcome=Outcome.SUCCESS,
        resource_type="key",
        purpose="administration",
        detail={"old_root_key": old_id, "new_root_key": new_id},
    )


def _secret(value: SecretStr | None) -> str | None:
    return None if value is None else value.get_secret_value()


def _stored_data_keys(uow_factory: UnitOfWorkFactory) -> Callable[[], list[WrappedDataKey]]:
    def fetch() -> list[WrappedDataKey]:
        with uow_factory() as uow:
            return uow.data_keys.all()

    return fetch


def _refuse_initialised(uow_factory: UnitOfWorkFactory) -> None:
    with uow_factory() as uow:
        if uow.data_keys.all():
            raise ConflictError(
                "this database already has a keyring: it was initialised before; "
                "use a new STRONGROOM_DATABASE_URL or the existing root key file"
            )


def _initialised(actor: Actor) -> AuditDraft:
    return AuditDraft(
        actor=actor.label,
        action=AuditAction.SYSTEM_INITIALISED,
        outcome=Outcome.SUCCESS,
        resource_type="system",
        purpose="administration",
        origin=actor.origin,
    )


def _redacted(url: str) -> str:
    """The database URL without any password in it, fit for printing."""
    scheme, sep, rest = url.partition("://")
    credentials, at, host = rest.rpartition("@")
    if not at or ":" not in credentials:
        return url
    user = credentials.split(":", 1)[0]
    return f"{scheme}{sep}{user}:***@{host}"
