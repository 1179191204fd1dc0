"""The composition root's audit part: the checkpointer and the sinks outside the database.

Kept beside ``bootstrap`` (which calls ``build_checkpointer``) so that the root stays readable;
like it, this module alone may import both adapters and capabilities.
"""

from __future__ import annotations

from strongroom.adapters.checkpoint_sinks import checkpoint_sinks
from strongroom.audit.checkpointer import AuditCheckpointer, CheckpointPolicy
from strongroom.core.clock import Clock
from strongroom.core.ports import AuditTrail, CheckpointArchive, UnitOfWorkFactory
from strongroom.settings import Settings
from strongroom.vault.receipts import SigningKeys


def build_checkpointer(
    settings: Settings,
    *,
    uow_factory: UnitOfWorkFactory,
    reader: UnitOfWorkFactory,
    audit: AuditTrail,
    keys: SigningKeys,
    clock: Clock,
) -> tuple[AuditCheckpointer, CheckpointArchive | None]:
    """The checkpointer with the sinks ``STRONGROOM_AUDIT_CHECKPOINT_SINKS`` names, and the
    checkpoint directory among them (read back by ``audit verify``), if there is one."""
    sinks, archive = checkpoint_sinks(
        settings.audit_checkpoint_sink_specs, directory=settings.audit_checkpoint_dir
    )
    checkpointer = AuditCheckpointer(
        uow_factory=uow_factory,
        reader=reader,
        audit=audit,
        keys=keys,
        clock=clock,
        sinks=sinks,
        policy=CheckpointPolicy(
            settings.audit_checkpoint_entries, settings.audit_checkpoint_seconds
        ),
    )
    return checkpointer, archive
