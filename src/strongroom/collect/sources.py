"""Sources: where tracking data comes from, each with a write key that can only ingest."""

from __future__ import annotations

import re
from dataclasses import dataclass

from strongroom.access.credentials import display_prefix, hash_secret, new_id, new_secret
from strongroom.access.tokens import record_failed_authentication
from strongroom.core.clock import Clock
from strongroom.core.errors import AuthenticationError, ConflictError, InvalidInputError
from strongroom.core.models import Actor, Channel, Source, WriteKey
from strongroom.core.ports import AuditTrail, UnitOfWorkFactory
from strongroom.core.trail import AuditAction, AuditDraft, Origin, Outcome

WRITE_KEY_PREFIX = "srk"
_NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,62}$")
_MAX_KEY_LENGTH = 200


@dataclass(frozen=True, slots=True)
class CreatedSource:
    source: Source
    write_key: str  # shown once; only its hash is stored


def create_source(
    *,
    uow_factory: UnitOfWorkFactory,
    audit: AuditTrail,
    clock: Clock,
    actor: Actor,
    name: str,
    channel: Channel,
) -> CreatedSource:
    """Create a source with a fresh write key."""
    if not _NAME.match(name):
        raise InvalidInputError(
            f"invalid source name {name!r}: use 1-63 lower-case letters, digits, '.', '_' or '-'"
        )
    now = clock.now()
    secret = new_secret(WRITE_KEY_PREFIX)
    source = Source(new_id(), name, channel, now)
    key = WriteKey(new_id(), source.id, hash_secret(secret), display_prefix(secret), now)
    with uow_factory() as uow:
        if uow.sources.by_name(name) is not None:
            raise ConflictError(f"a source named {name!r} already exists")
        uow.sources.add(source, key)
        draft = AuditDraft(
            actor=actor.label,
            action=AuditAction.SOURCE_CREATED,
            outcome=Outcome.SUCCESS,
            resource_type="source",
            resource_ids=(source.id,),
            purpose="administration",
            detail={"name": name, "channel": channel.value},
            origin=actor.origin,
        )
        audit.record(uow, [draft])
        uow.commit()
    return CreatedSource(source, secret)


def list_sources(*, uow_factory: UnitOfWorkFactory) -> list[Source]:
    with uow_factory() as uow:
        return uow.sources.list()


def authenticate_source(
    *,
    uow_factory: UnitOfWorkFactory,
    audit: AuditTrail,
    write_key: str | None,
    origin: Origin | None = None,
) -> Source:
    """The source owning ``write_key``; an unknown or revoked key is audited and refused."""
    if write_key and len(write_key) <= _MAX_KEY_LENGTH:
        with uow_factory() as uow:
            source = uow.sources.by_key_hash(hash_secret(write_key))
        if source is not None:
            return source
    record_failed_authentication(
        uow_factory=uow_factory, audit=audit, credential="write_key", origin=origin
    )
    raise AuthenticationError("unknown or revoked write key")
