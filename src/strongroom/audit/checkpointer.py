"""Making signed checkpoints: every N entries or T seconds, stored and exported to the sinks.

A checkpoint is made in one transaction that holds the audit head: it appends its own
``audit.checkpointed`` entry, extends the Merkle tree from the previous checkpoint (checking the
chain of every entry since), signs the new root and stores it. Only then is it handed to the
sinks outside the database; a sink that fails is logged and remembered for ``audit verify``,
and the checkpoint stays stored.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from strongroom.audit.chain import ChainChecker
from strongroom.audit.checkpoints import SignedCheckpoint, sign_checkpoint
from strongroom.audit.merkle import Frontier
from strongroom.core.clock import Clock
from strongroom.core.errors import AuditIntegrityError, CheckpointExportError
from strongroom.core.models import Actor
from strongroom.core.ports import AuditTrail, CheckpointSink, UnitOfWork, UnitOfWorkFactory
from strongroom.core.trail import AuditAction, AuditCheckpoint, AuditDraft, Origin, Outcome
from strongroom.vault.receipts import SigningKeys

logger = logging.getLogger("strongroom.audit")

SYSTEM_ACTOR = "system:strongroom"


@dataclass(frozen=True, slots=True)
class CheckpointPolicy:
    """When a checkpoint is due: this many new entries, or this long since the last one."""

    every_entries: int = 1000
    every_seconds: float = 300.0


@dataclass(frozen=True, slots=True)
class CheckpointResult:
    checkpoint: SignedCheckpoint
    exported_to: tuple[str, ...]
    export_errors: dict[str, str] = field(default_factory=dict)


class AuditCheckpointer:
    """Signs the audit log's tree head and hands it to sinks outside the database."""

    def __init__(
        self,
        *,
        uow_factory: UnitOfWorkFactory,
        audit: AuditTrail,
        keys: SigningKeys,
        clock: Clock,
        sinks: Sequence[CheckpointSink] = (),
        policy: CheckpointPolicy | None = None,
        reader: UnitOfWorkFactory | None = None,
    ) -> None:
        """``reader``: units of work that only read, so that catching the tree up with a long
        log never holds the database's write lock (SQLite); default ``uow_factory``."""
        self._uow_factory, self._audit, self.keys = uow_factory, audit, keys
        self._reader = reader or uow_factory
        self._clock, self.sinks = clock, tuple(sinks)
        self.policy = policy or CheckpointPolicy()

    def is_due(self, *, final: bool = False) -> bool:
        """A cheap check (two single-row reads); ``final``: due if anything is unsigned."""
        with self._reader() as uow:
            head, latest = uow.audit.head(), uow.audit.latest_checkpoint()
        return self._due(head.seq, latest, self._clock.now(), final=final)

    def checkpoint_if_due(self, *, final: bool = False) -> CheckpointResult | None:
        """Make a checkpoint when the policy says one is due (``final``: at shutdown)."""
        if not self.is_due(final=final):
            return None
        return self._make(SYSTEM_ACTOR, None, force=False, final=final)

    def checkpoint(self, *, actor: Actor) -> CheckpointResult:
        """Make a checkpoint now, whatever the policy says."""
        result = self._make(actor.label, actor.origin, force=True, final=True)
        assert result is not None  # forced
        return result

    def _due(
        self, head_seq: int, latest: AuditCheckpoint | None, now: datetime, *, final: bool
    ) -> bool:
        pending = head_seq - (latest.tree_size if latest else 0)
        if pending <= 0:
            return False
        if final or latest is None or pending >= self.policy.every_entries:
            return True
        return (now - latest.created_at).total_seconds() >= self.policy.every_seconds

    def _make(
        self, actor: str, origin: Origin | None, *, force: bool, final: bool
    ) -> CheckpointResult | None:
        # First catch the tree up with every committed entry, reading only: on a long log
        # (the first checkpoint after an upgrade) this is the slow part.
        with self._reader() as uow:
            latest = uow.audit.latest_checkpoint()
            tree = _Tree.resume(uow, latest)
            tree.advance(uow, uow.audit.head().seq)
        with self._uow_factory() as uow:
            head = uow.audit.lock_head()
            current = uow.audit.latest_checkpoint()
            now = self._clock.now()
            if _size(current) != _size(latest):  # another process made one meanwhile
                if not force:
                    return None
                tree = _Tree.resume(uow, current)
            elif not force and not self._due(head.seq, current, now, final=final):
                return None
            size = head.seq + 1  # the checkpoint covers its own entry
            self._audit.record(uow, [_checkpointed(actor, origin, size)])
            tree.advance(uow, size)
            signed = sign_checkpoint(
                self.keys, tree_size=size, root_hash=tree.frontier.root(), timestamp=now
            )
            uow.audit.add_checkpoint(_stored(signed, tree.frontier))
            uow.commit()
        return self._export(signed)

    def _export(self, signed: SignedCheckpoint) -> CheckpointResult:
        document = signed.to_json()
        errors: dict[str, str] = {}
        done: list[str] = []
        for sink in self.sinks:
            try:
                sink.publish(signed.tree_size, document)
            except CheckpointExportError as error:
                errors[sink.name] = error.message
                logger.warning(
                    "audit checkpoint of tree size %d was not exported to %s: %s",
                    signed.tree_size,
                    sink.name,
                    error.message,
                )
            else:
                done.append(sink.name)
        if errors:
            with self._uow_factory() as uow:
                uow.audit.set_export_errors(signed.tree_size, errors)
                uow.commit()
        return CheckpointResult(signed, tuple(done), errors)


def _size(checkpoint: AuditCheckpoint | None) -> int:
    return checkpoint.tree_size if checkpoint is not None else 0


@dataclass(slots=True)
class _Tree:
    """The Merkle tree of the first entries, and the chain checked that far.

    Every entry it is extended by is checked on the way: a checkpoint never signs a chain that
    was tampered with.
    """

    frontier: Frontier
    checker: ChainChecker

    @classmethod
    def resume(cls, uow: UnitOfWork, latest: AuditCheckpoint | None) -> _Tree:
        """The tree as the last checkpoint left it (empty without one)."""
        if latest is None:
            return cls(Frontier(), ChainChecker())
        frontier = _resumed(latest)
        anchor = next(uow.audit.scan(after=latest.tree_size - 1, batch_size=1), None)
        if anchor is None or anchor.seq != latest.tree_size:
            raise AuditIntegrityError(
                f"audit entry {latest.tree_size}, the last one the newest checkpoint covers, "
                "is missing: run `strongroom audit verify`",
                seq=latest.tree_size,
            )
        return cls(frontier, ChainChecker(after=anchor.seq, prev_hash=anchor.entry_hash))

    def advance(self, uow: UnitOfWork, size: int) -> None:
        """Extend the tree with the entries up to ``size``."""
        for entry in uow.audit.scan(after=self.frontier.size):
            if entry.seq > size:
                break
            self.frontier.append(self.checker.check(entry))
        if self.frontier.size != size:
            raise AuditIntegrityError(
                f"audit entry {self.frontier.size + 1} is missing while checkpointing",
                seq=self.frontier.size + 1,
            )


def _resumed(latest: AuditCheckpoint) -> Frontier:
    try:
        frontier = Frontier(latest.frontier, latest.tree_size)
    except ValueError:
        frontier = None
    if frontier is None or frontier.root() != latest.root_hash:
        raise AuditIntegrityError(
            f"the stored checkpoint of tree size {latest.tree_size} was changed: its frontier "
            "does not give its root; run `strongroom audit verify`",
            checkpoint=f"database checkpoint {latest.tree_size}",
        )
    return frontier


def _checkpointed(actor: str, origin: Origin | None, size: int) -> AuditDraft:
    return AuditDraft(
        actor=actor,
        action=AuditAction.AUDIT_CHECKPOINTED,
        outcome=Outcome.SUCCESS,
        resource_type="audit_log",
        purpose="administration",
        detail={"tree_size": size},
        origin=origin,
    )


def _stored(signed: SignedCheckpoint, frontier: Frontier) -> AuditCheckpoint:
    return AuditCheckpoint(
        tree_size=signed.tree_size,
        root_hash=signed.root_hash,
        created_at=signed.timestamp,
        key_version=signed.key_version,
        document=signed.to_json(),
        frontier=frontier.peaks,
    )
