"""Sources: where tracking data comes from, each with write keys that can only ingest.

A write key is shown once and stored as a hash. Rotation adds a key and lets the old ones
work until an overlap ends, so clients can move without dropping events. Server and POS
sources also get a batch-signing secret with each key, stored encrypted (collect.signing).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import timedelta

from strongroom.access.credentials import display_prefix, hash_secret, new_id, new_secret
from strongroom.access.tokens import record_failed_authentication
from strongroom.collect.origins import normalize_origin
from strongroom.collect.ratelimit import MAX_RATE_LIMIT
from strongroom.collect.signing import new_signing_secret, seal_signing_secret
from strongroom.core.clock import Clock, SystemClock
from strongroom.core.errors import AuthenticationError, ConflictError, InvalidInputError
from strongroom.core.models import Actor, Channel, Source, WriteKey
from strongroom.core.ports import AuditTrail, UnitOfWork, UnitOfWorkFactory
from strongroom.core.trail import AuditAction, AuditDraft, Origin, Outcome
from strongroom.vault.tokenization import TokenKeys

WRITE_KEY_PREFIX = "srk"
SIGNING_CHANNELS = frozenset({Channel.SERVER, Channel.POS})  # can keep a secret
BROWSER_CHANNELS = frozenset({Channel.WEB, Channel.MOBILE})  # send an Origin, give an IP
MAX_KEY_LENGTH = 200
_NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,62}$")
MAX_OVERLAP = timedelta(days=90)


@dataclass(frozen=True, slots=True)
class CreatedSource:
    source: Source
    write_key: str  # shown once; only its hash is stored
    signing_secret: str | None = None  # shown once; stored encrypted


@dataclass(frozen=True, slots=True)
class RotatedKey:
    source: Source
    key: WriteKey
    write_key: str  # shown once
    signing_secret: str | None
    old_keys_expire_at: str  # ISO-8601


def create_source(
    *,
    uow_factory: UnitOfWorkFactory,
    audit: AuditTrail,
    clock: Clock,
    actor: Actor,
    name: str,
    channel: Channel,
    keys: TokenKeys | None = None,
) -> CreatedSource:
    """Create a source with a fresh write key (and, given ``keys``, a signing secret)."""
    if not _NAME.match(name):
        raise InvalidInputError(
            f"invalid source name {name!r}: use 1-63 lower-case letters, digits, '.', '_' or '-'"
        )
    now = clock.now()
    source = Source(new_id(), name, channel, now)
    key, secret, signing = _new_key(source, keys, clock)
    with uow_factory() as uow:
        if uow.sources.by_name(name) is not None:
            raise ConflictError(f"a source named {name!r} already exists")
        uow.sources.add(source, key)
        detail: dict[str, str | int] = {"name": name, "channel": channel.value}
        detail["key_prefix"] = key.prefix
        _audit(uow, audit, actor, AuditAction.SOURCE_CREATED, source=source, detail=detail)
        uow.commit()
    return CreatedSource(source, secret, signing)


def list_sources(*, uow_factory: UnitOfWorkFactory) -> list[Source]:
    with uow_factory() as uow:
        return uow.sources.list()


def source_keys(*, uow_factory: UnitOfWorkFactory, name: str) -> tuple[Source, list[WriteKey]]:
    """A source and every write key it has had, oldest first."""
    with uow_factory() as uow:
        source = named_source(uow, name)
        return source, uow.sources.keys(source.id)


def rotate_key(
    *,
    uow_factory: UnitOfWorkFactory,
    audit: AuditTrail,
    clock: Clock,
    actor: Actor,
    name: str,
    overlap: timedelta,
    keys: TokenKeys | None = None,
) -> RotatedKey:
    """A new write key for the source; its other keys keep working until ``overlap`` ends."""
    if overlap < timedelta(0) or overlap > MAX_OVERLAP:
        raise InvalidInputError(f"the overlap must be between 0 and {MAX_OVERLAP.days} days")
    now = clock.now()
    with uow_factory() as uow:
        source = named_source(uow, name)
        key, secret, signing = _new_key(source, keys, clock)
        uow.sources.expire_keys(source.id, now + overlap)
        uow.sources.add_key(key)
        detail: dict[str, str | int] = {"key_prefix": key.prefix}
        detail["overlap_seconds"] = int(overlap.total_seconds())
        _audit(uow, audit, actor, AuditAction.SOURCE_KEY_ROTATED, source=source, detail=detail)
        uow.commit()
    return RotatedKey(source, key, secret, signing, (now + overlap).isoformat())


def revoke_key(
    *,
    uow_factory: UnitOfWorkFactory,
    audit: AuditTrail,
    clock: Clock,
    actor: Actor,
    name: str,
    key: str,
) -> WriteKey:
    """Revoke one write key of the source, named by its id or its unique prefix."""
    with uow_factory() as uow:
        source = named_source(uow, name)
        matches = [k for k in uow.sources.keys(source.id) if key in (k.id, k.prefix)]
        if len(matches) != 1:
            problem = "no write key" if not matches else "more than one write key"
            raise InvalidInputError(
                f"{problem} of source {name!r} matches {key[:40]!r}: give a key id "
                "from `strongroom sources list`"
            )
        found = matches[0]
        uow.sources.revoke_key(found.id, clock.now())
        detail: dict[str, str | int] = {"key_id": found.id, "key_prefix": found.prefix}
        _audit(uow, audit, actor, AuditAction.SOURCE_KEY_REVOKED, source=source, detail=detail)
        uow.commit()
    return found


def authenticate_source(
    *,
    uow_factory: UnitOfWorkFactory,
    audit: AuditTrail,
    write_key: str | None,
    origin: Origin | None = None,
    clock: Clock | None = None,
) -> Source:
    """The source owning ``write_key``; an unknown, revoked or expired key is audited, refused."""
    found = find_key(uow_factory=uow_factory, write_key=write_key, clock=clock or SystemClock())
    if found is not None:
        return found[0]
    record_failed_authentication(
        uow_factory=uow_factory, audit=audit, credential="write_key", origin=origin
    )
    raise AuthenticationError("unknown, revoked or expired write key")


def find_key(
    *, uow_factory: UnitOfWorkFactory, write_key: str | None, clock: Clock
) -> tuple[Source, WriteKey] | None:
    """The source and live key for ``write_key``, or None."""
    if not write_key or len(write_key) > MAX_KEY_LENGTH:
        return None
    with uow_factory() as uow:
        return uow.sources.active_key(hash_secret(write_key), clock.now())


def named_source(uow: UnitOfWork, name: str) -> Source:
    source = uow.sources.by_name(name)
    if source is None:
        raise InvalidInputError(f"no source named {name!r}: `strongroom sources list` shows them")
    return source


def _new_key(
    source: Source, keys: TokenKeys | None, clock: Clock
) -> tuple[WriteKey, str, str | None]:
    secret, key_id = new_secret(WRITE_KEY_PREFIX), new_id()
    signing = new_signing_secret() if keys and source.channel in SIGNING_CHANNELS else None
    sealed = seal_signing_secret(keys, signing, key_id=key_id) if keys and signing else None
    key = WriteKey(
        key_id,
        source.id,
        hash_secret(secret),
        display_prefix(secret),
        clock.now(),
        signing_secret=sealed,
    )
    return key, secret, signing


def _audit(
    uow: UnitOfWork,
    audit: AuditTrail,
    actor: Actor,
    action: AuditAction,
    *,
    source: Source,
    detail: dict[str, str | int],
) -> None:
    draft = AuditDraft(
        actor=actor.label,
        action=action,
        outcome=Outcome.SUCCESS,
        resource_type="source",
        resource_ids=(source.id,),
        purpose="administration",
        detail=detail,
        origin=actor.origin,
    )
    audit.record(uow, [draft])


@dataclass(frozen=True, slots=True)
class SettingsChange:
    """What to change; None leaves a setting as it is."""

    allowed_origins: tuple[str, ...] | None = None
    rate_limit: int | None = None
    require_signature: bool | None = None


def change_settings(
    *,
    uow_factory: UnitOfWorkFactory,
    audit: AuditTrail,
    actor: Actor,
    name: str,
    change: SettingsChange,
) -> Source:
    """Change a source's allowed origins, rate limit or signature requirement."""
    with uow_factory() as uow:
        source = named_source(uow, name)
        updated = _apply(source, change)
        uow.sources.update_settings(updated)
        detail: dict[str, str | int] = {
            "allowed_origins": ",".join(updated.allowed_origins),
            "rate_limit": updated.rate_limit or 0,
            "require_signature": int(updated.require_signature),
        }
        _audit(uow, audit, actor, AuditAction.SOURCE_SETTINGS_CHANGED, source=source, detail=detail)
        uow.commit()
    return updated


def _apply(source: Source, change: SettingsChange) -> Source:
    origins = source.allowed_origins
    if change.allowed_origins is not None:
        origins = tuple(dict.fromkeys(normalize_origin(o) for o in change.allowed_origins))
        if origins and source.channel not in BROWSER_CHANNELS:
            raise InvalidInputError(
                f"a {source.channel.value} source is not called from browsers: allowed origins "
                "are for web and mobile sources"
            )
    rate = source.rate_limit if change.rate_limit is None else change.rate_limit
    if rate is not None and not 1 <= rate <= MAX_RATE_LIMIT:
        raise InvalidInputError(f"the rate limit must be 1 to {MAX_RATE_LIMIT} requests a second")
    signed = change.require_signature
    signed = source.require_signature if signed is None else signed
    if signed and source.channel not in SIGNING_CHANNELS:
        raise InvalidInputError(
            f"a {source.channel.value} source cannot keep a signing secret: only server and "
            "pos sources can require signed batches"
        )
    return replace(source, allowed_origins=origins, rate_limit=rate, require_signature=signed)
