"""The composition root's incident-response part: the services and what containment reaches."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from strongroom.access.approvals import FourEyes
from strongroom.audit.checkpointer import AuditCheckpointer
from strongroom.core.clock import Clock
from strongroom.core.custody import RootKey
from strongroom.core.incidents import Block
from strongroom.core.models import Actor
from strongroom.core.ports import AuditTrail, UnitOfWorkFactory
from strongroom.respond.actions import ActionContext
from strongroom.respond.drafting import NoticeDrafter
from strongroom.respond.investigation import BlastRadiusService
from strongroom.respond.places import VaultPlaceReader
from strongroom.respond.playbooks import PlaybookRunner
from strongroom.respond.service import IncidentService
from strongroom.respond.suspects import SuspectWatcher
from strongroom.settings import Settings
from strongroom.vault.keyring import KeyKind
from strongroom.vault.rotation import Rotation
from strongroom.vault.service import SubjectVault


@dataclass
class Respond:
    """Incidents, blast radius, playbooks, suspects' timeline sync, notices; ``context`` gives
    containment actions their reach."""

    incidents: IncidentService
    blast_radius: BlastRadiusService
    playbooks: PlaybookRunner
    suspects: SuspectWatcher  # show and list through it: it syncs suspects' audit entries first
    notices: NoticeDrafter
    _settings: Settings
    _uow_factory: UnitOfWorkFactory
    _audit: AuditTrail
    _clock: Clock
    _vault: SubjectVault
    _root_key: RootKey
    _checkpoints: AuditCheckpointer

    def context(self, *, actor: Actor, incident_id: str) -> ActionContext:
        return ActionContext(
            uow_factory=self._uow_factory,
            clock=self._clock,
            actor=actor,
            incident_id=incident_id,
            rotate_key=self._rotate_key,
            checkpoint=self._checkpoint,
        )

    def _rotate_key(self, kind: str, actor: Actor) -> int:
        rotation = Rotation(
            uow_factory=self._uow_factory,
            root_key=self._root_key,
            vault=self._vault,
            audit=self._audit,
            clock=self._clock,
            actor=actor,
        )
        with self._uow_factory() as uow:
            population = max(self._settings.expected_customers, uow.customers.count())
        return rotation.add_version(KeyKind(kind), population=population)

    def _checkpoint(self, actor: Actor) -> int:
        return self._checkpoints.checkpoint(actor=actor).checkpoint.tree_size


class _LazyPdf:
    """The fpdf2 renderer, imported on first use: fpdf2 takes half a second to import."""

    def render(self, blocks: Sequence[Block], *, title: str) -> bytes:
        from strongroom.adapters.pdf_notices import FpdfNoticeRenderer  # noqa: PLC0415

        return FpdfNoticeRenderer().render(blocks, title=title)


def build_incidents(
    *, uow_factory: UnitOfWorkFactory, audit: AuditTrail, clock: Clock
) -> IncidentService:
    """The incident service alone: the monitor needs it (to open incidents) before the rest."""
    return IncidentService(uow_factory=uow_factory, audit=audit, clock=clock)


def build_respond(
    settings: Settings,
    *,
    incidents: IncidentService,
    uow_factory: UnitOfWorkFactory,
    reader: UnitOfWorkFactory,
    audit: AuditTrail,
    clock: Clock,
    vault: SubjectVault,
    root_key: RootKey,
    checkpoints: AuditCheckpointer,
) -> Respond:
    def checkpoint(actor: Actor) -> None:
        checkpoints.checkpoint(actor=actor)

    blast = BlastRadiusService(
        uow_factory=uow_factory,
        reader=reader,
        audit=audit,
        places=VaultPlaceReader(vault),
        incidents=incidents,
        checkpoint=checkpoint,
    )
    suspects = SuspectWatcher(uow_factory=uow_factory, incidents=incidents, reader=reader)
    return Respond(
        incidents=incidents,
        blast_radius=blast,
        playbooks=PlaybookRunner(incidents, FourEyes(uow_factory, audit, clock)),
        suspects=suspects,
        notices=NoticeDrafter(incidents=incidents, views=suspects.show, pdf=_LazyPdf()),
        _settings=settings,
        _uow_factory=uow_factory,
        _audit=audit,
        _clock=clock,
        _vault=vault,
        _root_key=root_key,
        _checkpoints=checkpoints,
    )
