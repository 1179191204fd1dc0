"""Containment actions: small classes in a registry, each calling an existing service or port.

Playbooks name these by ``name``. An action that cannot run in this process (no key rotator or
checkpointer handed in) refuses with a clear "not available" error.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from strongroom.core.clock import Clock
from strongroom.core.errors import ContainmentError, InvalidInputError, NotFoundError
from strongroom.core.incidents import ContainmentRepository, ExportFreeze
from strongroom.core.machines import MachineKind
from strongroom.core.models import Actor
from strongroom.core.ports import UnitOfWorkFactory

KeyRotator = Callable[[str, Actor], int]  # (key kind, actor) -> the new version
Checkpointer = Callable[[Actor], int]  # actor -> the signed tree size


@dataclass(frozen=True, slots=True)
class ActionContext:
    """What actions reach: storage, time, and the services bootstrap hands in."""

    uow_factory: UnitOfWorkFactory
    clock: Clock
    actor: Actor
    incident_id: str
    rotate_key: KeyRotator | None = None
    checkpoint: Checkpointer | None = None


class ContainmentAction:
    """One kind of containment step; ``run`` does it and says what it did (no personal data)."""

    name: ClassVar[str]
    description: ClassVar[str]
    parameters: ClassVar[tuple[str, ...]] = ()

    def run(self, context: ActionContext, params: Mapping[str, str]) -> str:
        raise NotImplementedError

    def suspect(self, params: Mapping[str, str]) -> str | None:
        """The audit actor label this step shows to be a suspect, if any (see suspects.py)."""
        return None


def _bare(name: str, kind: str) -> str:
    """``staff:ann`` or ``ann`` -> ``ann``: playbooks may use audit actor labels."""
    return name.split(":", 1)[1] if name.startswith(f"{kind}:") else name


class _DisableAndRevoke(ContainmentAction):
    """Disable one named holder and revoke its credentials in one transaction."""

    prefix: ClassVar[str]  # the audit label prefix a playbook may write, as in ``staff:ann``
    noun: ClassVar[str]
    credentials: ClassVar[str]

    def run(self, context: ActionContext, params: Mapping[str, str]) -> str:
        name = _bare(params[self.parameters[0]], self.prefix)
        now = context.clock.now()
        with context.uow_factory() as uow:
            holder_id = self._disable(uow.containment, name, now)
            if holder_id is None:
                raise NotFoundError(f"no {self.noun} named {name!r}")
            revoked = self._revoke(uow.containment, holder_id, now)
            uow.commit()
        return f"disabled {self.noun} {name} and revoked {revoked} {self.credentials}"

    def _disable(self, store: ContainmentRepository, name: str, now: datetime) -> str | None:
        raise NotImplementedError

    def _revoke(self, store: ContainmentRepository, holder_id: str, now: datetime) -> int:
        raise NotImplementedError


class RevokePrincipal(_DisableAndRevoke):
    name = "revoke_principal"
    description = "Disable a staff principal and revoke every token (session) it holds"
    parameters = ("principal",)
    prefix, noun, credentials = "staff", "principal", "tokens"

    def suspect(self, params: Mapping[str, str]) -> str | None:
        """``staff:ann`` as given, or ``ann`` as the staff label ``staff:ann``."""
        name = params[self.parameters[0]]
        return name if ":" in name else f"{self.prefix}:{name}"

    def _disable(self, store: ContainmentRepository, name: str, now: datetime) -> str | None:
        return store.disable_principal(name, now)

    def _revoke(self, store: ContainmentRepository, holder_id: str, now: datetime) -> int:
        return store.revoke_principal_tokens(holder_id, now)


class SuspendSource(_DisableAndRevoke):
    name = "suspend_source"
    description = "Disable a source and revoke its write keys: its ingest stops at once"
    parameters = ("source",)
    prefix, noun, credentials = "source", "source", "write keys"

    def _disable(self, store: ContainmentRepository, name: str, now: datetime) -> str | None:
        return store.disable_source(name, now)

    def _revoke(self, store: ContainmentRepository, holder_id: str, now: datetime) -> int:
        return store.revoke_source_keys(holder_id, now)


class RotateKeys(ContainmentAction):
    name = "rotate_keys"
    description = "Add a new version of a keyring key (field-kek, blind-index or token)"
    parameters = ("kind",)

    def run(self, context: ActionContext, params: Mapping[str, str]) -> str:
        kind = params["kind"]
        if kind not in ("field-kek", "blind-index", "token"):
            raise InvalidInputError(f"kind must be field-kek, blind-index or token, not {kind!r}")
        if context.rotate_key is None:
            raise ContainmentError("key rotation is not available in this process")
        version = context.rotate_key(kind, context.actor)
        return (
            f"added {kind} version {version}; run `strongroom keys rotate --kind {kind} "
            "--resume` to move every record onto it"
        )


class FreezeExports(ContainmentAction):
    name = "freeze_exports"
    description = "Freeze exports: export code refuses while the freeze is stored"

    def run(self, context: ActionContext, params: Mapping[str, str]) -> str:
        freeze = ExportFreeze(context.incident_id, context.actor.label, context.clock.now())
        with context.uow_factory() as uow:
            uow.incidents.freeze_exports(freeze)
            uow.commit()
        return "exports frozen"


class ThawExports(ContainmentAction):
    name = "thaw_exports"
    description = "Lift the export freeze"

    def run(self, context: ActionContext, params: Mapping[str, str]) -> str:
        with context.uow_factory() as uow:
            uow.incidents.thaw_exports()
            uow.commit()
        return "exports thawed"


class CheckpointAudit(ContainmentAction):
    name = "checkpoint_audit"
    description = "Sign an audit checkpoint now and export it to the checkpoint sinks"

    def run(self, context: ActionContext, params: Mapping[str, str]) -> str:
        if context.checkpoint is None:
            raise ContainmentError("audit checkpoints are not available in this process")
        size = context.checkpoint(context.actor)
        return f"signed and exported the audit checkpoint of tree size {size}"


class RevokeMachineKey(ContainmentAction):
    name = "revoke_machine_key"
    description = (
        "Revoke every live service or vendor API key of one name (vendor:acme, service:billing, "
        "or a bare name): requests with them fail from the next one"
    )
    parameters = ("key",)

    def run(self, context: ActionContext, params: Mapping[str, str]) -> str:
        kinds, name = _machine_kinds(params["key"])
        now = context.clock.now()
        with context.uow_factory() as uow:
            keys = [
                key
                for kind in kinds
                for key in uow.machine_keys.list(kind)
                if key.name == name and key.revoked_at is None
            ]
            if not keys:
                raise NotFoundError(f"no live service or vendor key named {name!r}")
            for key in keys:
                uow.machine_keys.revoke(key.id, now)
            uow.commit()
        return f"revoked {len(keys)} key(s) named {name}"

    def suspect(self, params: Mapping[str, str]) -> str | None:
        """``vendor:acme`` or ``service:billing`` as given; a bare name names no one kind."""
        given = params["key"]
        return given if given.split(":", 1)[0] in tuple(MachineKind) else None


def _machine_kinds(given: str) -> tuple[tuple[MachineKind, ...], str]:
    kind, _, name = given.partition(":")
    if name and kind in tuple(MachineKind):
        return (MachineKind(kind),), name
    return tuple(MachineKind), given


class SuspendApp(ContainmentAction):
    name = "suspend_app"
    description = (
        "Revoke a third-party app (client id or name): its access tokens fail from the next "
        "call and no new ones are issued; its customers' grants stay on record"
    )
    parameters = ("app",)

    def run(self, context: ActionContext, params: Mapping[str, str]) -> str:
        wanted = _bare(params["app"], "app")
        with context.uow_factory() as uow:
            apps = [a for a in uow.apps.list() if wanted in (a.client_id, a.name)]
            if not apps:
                raise NotFoundError(f"no third-party app with client id or name {wanted!r}")
            if len(apps) > 1:
                raise InvalidInputError(f"several apps are named {wanted!r}: give the client id")
            [app] = apps
            uow.apps.revoke(app.client_id, context.clock.now())
            uow.commit()
        return f"revoked app {app.name} ({app.client_id}): its tokens fail from the next call"

    def suspect(self, params: Mapping[str, str]) -> str | None:
        """The app's audit label when the step names it by client id (``app-...``)."""
        wanted = _bare(params["app"], "app")
        return f"app:{wanted}" if wanted.startswith("app-") else None


ACTIONS: dict[str, ContainmentAction] = {
    action.name: action
    for action in (
        RevokePrincipal(),
        SuspendSource(),
        RotateKeys(),
        FreezeExports(),
        ThawExports(),
        CheckpointAudit(),
        RevokeMachineKey(),
        SuspendApp(),
    )
}


def action_named(name: str) -> ContainmentAction:
    try:
        return ACTIONS[name]
    except KeyError:
        known = ", ".join(sorted(ACTIONS))
        raise InvalidInputError(
            f"unknown containment action {name!r}; use one of: {known}"
        ) from None
