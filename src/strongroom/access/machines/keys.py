"""Service API keys (``srv_``) and vendor keys (``srx_``): issued by an admin, shown once, stored
hashed; every use checked against the key's time box, networks and client certificate."""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import NoReturn

from strongroom.access.credentials import display_prefix, hash_secret, new_id, new_secret
from strongroom.access.machines import rules
from strongroom.access.machines.records import (
    ANONYMOUS,
    admin_draft,
    authorise_admin,
    record_refusal,
)
from strongroom.access.permissions import PURPOSE_NAMES
from strongroom.access.policy import role_named
from strongroom.core.clock import Clock
from strongroom.core.errors import AuthenticationError, InvalidInputError, NotFoundError
from strongroom.core.machines import MachineKey, MachineKind
from strongroom.core.models import Actor, PrincipalKind
from strongroom.core.ports import AuditTrail, UnitOfWorkFactory
from strongroom.core.trail import AuditAction, Origin

SERVICE_KEY_PREFIX = "srv"
VENDOR_KEY_PREFIX = "srx"
PREFIX_OF = {MachineKind.SERVICE: SERVICE_KEY_PREFIX, MachineKind.VENDOR: VENDOR_KEY_PREFIX}
_MAX_SECRET_LENGTH = 200
_ACTIONS = {
    MachineKind.SERVICE: (AuditAction.SERVICE_KEY_CREATED, AuditAction.SERVICE_KEY_REVOKED),
    MachineKind.VENDOR: (AuditAction.VENDOR_KEY_CREATED, AuditAction.VENDOR_KEY_REVOKED),
}
_PRINCIPAL_KIND = {
    MachineKind.SERVICE: PrincipalKind.SERVICE,
    MachineKind.VENDOR: PrincipalKind.VENDOR,
}


@dataclass(frozen=True, slots=True)
class IssuedKey:
    key: MachineKey
    secret: str  # the only time it exists outside the holder's hands


@dataclass(frozen=True, slots=True)
class Presented:
    """What a request presents: the bearer secret, where it comes from, its client certificate."""

    secret: str | None
    origin: Origin
    cert_fingerprint: str | None = None  # SHA-256 of the verified TLS client certificate


def key_actor(key: MachineKey, origin: Origin | None) -> Actor:
    """The actor a key acts as; a service key's scopes narrow its role at the gate."""
    scopes = frozenset(key.scopes) if key.kind is MachineKind.SERVICE else frozenset()
    return Actor(_PRINCIPAL_KIND[key.kind], key.name, key.role, key.id, origin, scopes)


class MachineKeys:
    """Issues, lists, revokes and authenticates service and vendor keys."""

    def __init__(self, uow_factory: UnitOfWorkFactory, audit: AuditTrail, clock: Clock) -> None:
        self._uow_factory, self._audit, self._clock = uow_factory, audit, clock

    def issue_service_key(
        self,
        *,
        actor: Actor,
        name: str,
        role: str,
        scopes: Sequence[str],
        expires_at: datetime,
        networks: Sequence[str] = (),
        cert_fingerprint: str | None = None,
    ) -> IssuedKey:
        """A key acting in ``role`` narrowed to ``scopes`` until ``expires_at`` (a year at most)."""
        declared = role_named(role)
        now = self._clock.now()
        rules.check_time_box(now, now, expires_at)
        draft = MachineKey(
            id=new_id(),
            kind=MachineKind.SERVICE,
            name=rules.check_name(name, "key"),
            key_hash=b"",
            prefix="",
            created_at=now,
            created_by=actor.label,
            valid_from=now,
            expires_at=expires_at,
            role=declared.name,
            scopes=rules.check_scopes(declared, scopes),
            networks=rules.check_networks(networks, required=False),
            cert_fingerprint=rules.check_fingerprint(cert_fingerprint),
        )
        return self._issue(actor, draft)

    def issue_vendor_key(
        self,
        *,
        actor: Actor,
        name: str,
        fields: Sequence[str],
        networks: Sequence[str],
        purpose: str,
        valid_from: datetime | None,
        expires_at: datetime,
        cert_fingerprint: str | None = None,
    ) -> IssuedKey:
        """A vendor key: only ``fields`` of a profile, from ``networks``, inside its time box."""
        if purpose not in PURPOSE_NAMES:
            raise InvalidInputError(f"unknown purpose {purpose!r}; see docs/data-and-access.md")
        now = self._clock.now()
        start = valid_from or now
        rules.check_time_box(now, start, expires_at)
        draft = MachineKey(
            id=new_id(),
            kind=MachineKind.VENDOR,
            name=rules.check_name(name, "vendor"),
            key_hash=b"",
            prefix="",
            created_at=now,
            created_by=actor.label,
            valid_from=start,
            expires_at=expires_at,
            purpose=purpose,
            networks=rules.check_networks(networks, required=True),
            fields=rules.check_vendor_fields(fields),
            cert_fingerprint=rules.check_fingerprint(cert_fingerprint),
        )
        return self._issue(actor, draft)

    def _issue(self, actor: Actor, draft: MachineKey) -> IssuedKey:
        authorise_admin(self._uow_factory, self._audit, actor)
        secret = new_secret(PREFIX_OF[draft.kind])
        key = replace(draft, key_hash=hash_secret(secret), prefix=display_prefix(secret))
        detail: dict[str, str | int] = {"expires_at": key.expires_at.isoformat()}
        with self._uow_factory() as uow:
            uow.machine_keys.add(key)
            created, _ = _ACTIONS[key.kind]
            self._audit.record(uow, [admin_draft(actor, created, "machine_key", key.id, detail)])
            uow.commit()
        return IssuedKey(key, secret)

    def list(self, *, actor: Actor, kind: MachineKind) -> builtins.list[MachineKey]:
        authorise_admin(self._uow_factory, self._audit, actor)
        with self._uow_factory() as uow:
            return uow.machine_keys.list(kind)

    def revoke(self, *, actor: Actor, key_id: str, kind: MachineKind) -> None:
        """Revoke at once: the next request with the key is refused."""
        authorise_admin(self._uow_factory, self._audit, actor)
        with self._uow_factory() as uow:
            key = uow.machine_keys.get(key_id)
            if key is None or key.kind is not kind:
                raise NotFoundError(f"no {kind.value} key with id {key_id!r}")
            uow.machine_keys.revoke(key_id, self._clock.now())
            _, revoked = _ACTIONS[kind]
            self._audit.record(uow, [admin_draft(actor, revoked, "machine_key", key_id)])
            uow.commit()

    def authenticate(self, kind: MachineKind, presented: Presented) -> MachineKey:
        """The live key behind ``presented``; AuthenticationError (audited) for anything amiss."""
        secret = presented.secret or ""
        found = None
        if secret.startswith(f"{PREFIX_OF[kind]}_") and len(secret) <= _MAX_SECRET_LENGTH:
            with self._uow_factory() as uow:
                found = uow.machine_keys.by_hash(hash_secret(secret))
        if found is None or found.kind is not kind:
            self._refuse(None, kind, "unknown", presented.origin)
        reason = _refusal(found, presented, self._clock.now())
        if reason is not None:
            self._refuse(found, kind, reason, presented.origin)
        return found

    def service_actor(self, presented: Presented) -> Actor:
        """The actor of a live service key, acting in its role narrowed to its scopes."""
        return key_actor(self.authenticate(MachineKind.SERVICE, presented), presented.origin)

    def _refuse(
        self, key: MachineKey | None, kind: MachineKind, reason: str, origin: Origin
    ) -> NoReturn:
        record_refusal(
            self._uow_factory,
            self._audit,
            action=AuditAction.AUTH_FAILED,
            who=key_actor(key, origin).label if key else ANONYMOUS,
            resource_type="credential",
            resource_id=key.id if key else None,
            detail={"credential": f"{kind.value}_key", "reason": reason},
            origin=origin,
        )
        raise AuthenticationError(_MESSAGES[reason].format(kind=kind.value))


_MESSAGES = {
    "unknown": "missing, malformed or unknown {kind} key; send 'Authorization: Bearer <key>'",
    "revoked": "this {kind} key was revoked; ask an admin for a new one",
    "not_yet_valid": "this {kind} key is not valid yet",
    "expired": "this {kind} key has expired; ask an admin for a new one",
    "network": "this {kind} key may not be used from this network address",
    "certificate": "this {kind} key needs the TLS client certificate it is bound to",
}


def _refusal(key: MachineKey, presented: Presented, now: datetime) -> str | None:
    """Why the key may not be used for this request, or None."""
    if key.revoked_at is not None:
        return "revoked"
    if now < key.valid_from:
        return "not_yet_valid"
    if now >= key.expires_at:
        return "expired"
    if not rules.address_allowed(key.networks, presented.origin.ip):
        return "network"
    if key.cert_fingerprint is not None and presented.cert_fingerprint != key.cert_fingerprint:
        return "certificate"
    return None
